// What a tenant admin says about a runner pool, shared by runners.createPool and runners.updatePool and by the
// pool form (which validates with these same schemas and shows each problem at its field). Limits are the runner
// protocol's `poolLimits` (what the runner enforces); byte counts may be given as numbers or digit strings.
import { egressAllowlist, poolLimits } from "@gantry/runner-protocol";
import { z } from "zod";

export const POOL_PROVIDERS = ["microvm", "gvisor", "bwrap", "process"] as const;
export const POOL_EGRESS = ["none", "allowlist", "open"] as const;

/** Pool names are global (a runner's GANTRY_RUNNER_POOL names one): lowercase letters, digits, `-`, `_` and `.`. */
export const poolName = z
  .string()
  .min(1, "give the pool a name")
  .max(100)
  .regex(/^[a-z0-9][a-z0-9._-]*$/, "pool names use lowercase letters, digits, '.', '_' and '-', starting with a letter or digit");

/** A `runs-on` label: what GitHub allows in one (no spaces or commas, which separate labels in the form). */
const poolLabel = z
  .string()
  .min(1)
  .max(100)
  .regex(/^[A-Za-z0-9._-]+$/, "a label uses letters, digits, '.', '_' and '-'");

const byteCount = (shape: z.ZodNumber) => z.union([z.number(), z.string().regex(/^\d+$/, "a number of bytes").transform(Number)]).pipe(shape);

export const poolFields = z.object({
  labels: z.array(poolLabel).min(1, "give at least one label: jobs reach the pool by their runs-on labels").max(32),
  provider: z.enum(POOL_PROVIDERS),
  cpus: poolLimits.shape.cpus.optional(),
  memoryBytes: byteCount(poolLimits.shape.memoryBytes).optional(),
  pids: poolLimits.shape.pids.optional(),
  diskBytes: byteCount(poolLimits.shape.diskBytes).optional(),
  fileSizeBytes: byteCount(poolLimits.shape.fileSizeBytes).optional(),
  maxTimeoutMinutes: poolLimits.shape.maxTimeoutMinutes.optional(),
  egress: z.enum(POOL_EGRESS).optional(),
  egressAllowlist: egressAllowlist.optional(),
});
export type PoolFields = z.infer<typeof poolFields>;

/**
 * The rules across fields (docs/sandboxes.md): an allowlist needs entries and only an allowlist takes them; the
 * `process` provider isolates nothing and cannot filter egress, so it refuses `allowlist` (its runners also refuse
 * untrusted runs, e.g. fork pull requests).
 */
export function checkPoolFields(fields: { provider?: string; egress?: string; egressAllowlist?: string[] }, context: z.RefinementCtx): void {
  const list = fields.egressAllowlist ?? [];
  if (fields.egress === "allowlist" && list.length === 0) context.addIssue({ code: "custom", path: ["egressAllowlist"], message: "an allowlist needs at least one host, IP address or CIDR range" });
  if (fields.egress !== undefined && fields.egress !== "allowlist" && list.length > 0) context.addIssue({ code: "custom", path: ["egressAllowlist"], message: `egress '${fields.egress}' takes no allowlist; choose 'allowlist' or clear the list` });
  if (fields.provider === "process" && fields.egress === "allowlist") context.addIssue({ code: "custom", path: ["egress"], message: "the process provider cannot filter egress: choose 'none' or 'open', or an isolating provider (microvm, gvisor, bwrap)" });
}

/** The enum values the database stores. */
export const providerColumn = (provider: (typeof POOL_PROVIDERS)[number]) => provider.toUpperCase() as "MICROVM" | "GVISOR" | "BWRAP" | "PROCESS";
export const egressColumn = (egress: (typeof POOL_EGRESS)[number]) => egress.toUpperCase() as "NONE" | "ALLOWLIST" | "OPEN";
