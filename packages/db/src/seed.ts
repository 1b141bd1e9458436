// The demo tenant the up-command seeds: one admin, one plain-git repository, one runner pool of its own.
// Idempotent: running it twice changes nothing but the pool's registration token, when one is given. What it changes
// is audited with actor SYSTEM "seed" (the admin, its membership, the pool; environments are not seeded).
import { AUDIT_ACTIONS, recordAudit, type AuditRecord } from "./audit";
import type { PoolLimits } from "@gantry/runner-protocol";
import type { Database } from "./database";
import { poolLimitData } from "./pool-limits";
import { seedAdmin, type SeededAdmin } from "./seed-admin";
import { gitSourceSecretPurpose, secretStore } from "./secrets";
import { hashToken } from "./tokens";

export const DEMO = {
  tenantId: "ten_demo",
  tenantSlug: "demo",
  email: "demo@gantry.local",
  password: "gantry-demo",
  userId: "usr_demo",
  repositoryId: "repo_demo_hello",
  repositoryName: "demo/hello",
  gitSourceId: "gsrc_demo",
  poolId: "pool_default",
  poolName: "default",
  poolLabels: ["ubuntu-latest", "linux-x64", "self-hosted"],
} as const;

export interface SeedOptions {
  /** Where the demo repository lives (a bare git repository or a local path). */
  repositoryUrl: string;
  /** The token runners of the default pool register with. */
  runnerRegistrationToken: string;
  provider?: "MICROVM" | "GVISOR" | "BWRAP" | "PROCESS";
  /** The demo pool's network egress (default none); the allowlist is validated by the caller. */
  egress?: { policy: "none" | "allowlist" | "open"; allowlist: string[] };
  /**
   * The demo tenant's "script injection is an error" setting (Tenant.injectionLintError). Left as it is when not
   * given, so re-seeding does not undo what an admin chose on the dashboard.
   */
  injectionIsError?: boolean;
  /** The demo pool's resource limits; each one not given is the default (DEFAULT_POOL_LIMITS). Validated here. */
  limits?: Partial<PoolLimits>;
  /** Enables signed push notifications for the demo git source; without it the source accepts none. */
  gitNotify?: { masterKey: Buffer; secret: string };
  /**
   * Where the web server listens (GANTRY_HOST; default 127.0.0.1). The admin gets the published demo password only
   * on a loopback host; elsewhere a generated one, returned once (seed-admin.ts).
   */
  host?: string;
}

const EGRESS_POLICY = { none: "NONE", allowlist: "ALLOWLIST", open: "OPEN" } as const;

const SEED_ACTOR = { kind: "SYSTEM" as const, id: "seed" };

export async function seedDemo(db: Database, options: SeedOptions): Promise<SeededAdmin> {
  // Every job of the pool runs under these (DESIGN.md invariant 10); a bad value throws before anything is written.
  const limits = poolLimitData(options.limits);
  const sys = db.system("seed the demo tenant");
  const settings = options.injectionIsError === undefined ? {} : { injectionLintError: options.injectionIsError };
  await sys.tenant.upsert({
    where: { id: DEMO.tenantId },
    create: { id: DEMO.tenantId, slug: DEMO.tenantSlug, name: "Demo", ...settings },
    update: settings,
  });
  const admin = await seedAdmin(db, { id: DEMO.userId, email: DEMO.email, name: "Demo Admin", tenantId: DEMO.tenantId, demoPassword: DEMO.password }, options.host ?? "127.0.0.1");
  const tenant = db.forTenant({ tenantId: DEMO.tenantId, actor: SEED_ACTOR });
  const membershipBefore = await tenant.membership.findUnique({ where: { tenantId_userId: { tenantId: DEMO.tenantId, userId: DEMO.userId } }, select: { role: true } });
  await tenant.membership.upsert({
    where: { tenantId_userId: { tenantId: DEMO.tenantId, userId: DEMO.userId } },
    create: { tenantId: DEMO.tenantId, userId: DEMO.userId, role: "ADMIN" },
    update: {},
  });
  if (!membershipBefore) {
    await recordAudit(db, { tenantId: DEMO.tenantId, actor: SEED_ACTOR, action: AUDIT_ACTIONS.membershipCreated, target: { type: "Membership", id: `${DEMO.tenantId}/${DEMO.userId}` }, details: { userId: DEMO.userId, role: "ADMIN" } });
  }
  const ctx = { tenantId: DEMO.tenantId, actor: SEED_ACTOR };
  // An empty ciphertext means "no notification secret": the push endpoint then refuses every notification.
  const notifySecretCiphertext = options.gitNotify
    ? await secretStore(tenant, ctx, options.gitNotify.masterKey).sealValue(gitSourceSecretPurpose(DEMO.gitSourceId), options.gitNotify.secret)
    : new Uint8Array();
  await tenant.gitSource.upsert({
    where: { id: DEMO.gitSourceId },
    create: { id: DEMO.gitSourceId, tenantId: DEMO.tenantId, name: "local", url: options.repositoryUrl, notifySecretCiphertext },
    update: { url: options.repositoryUrl, notifySecretCiphertext },
  });
  await tenant.repository.upsert({
    where: { id: DEMO.repositoryId },
    create: { id: DEMO.repositoryId, tenantId: DEMO.tenantId, fullName: DEMO.repositoryName, gitSourceId: DEMO.gitSourceId },
    update: {},
  });
  const egress = { egress: EGRESS_POLICY[options.egress?.policy ?? "none"], egressAllowlist: options.egress?.allowlist ?? [] };
  const registrationTokenHash = hashToken(options.runnerRegistrationToken);
  const provider = options.provider ?? "PROCESS";
  const poolBefore = await sys.runnerPool.findUnique({ where: { id: DEMO.poolId }, select: { tenantId: true, provider: true, egress: true, egressAllowlist: true, registrationTokenHash: true } });
  await sys.runnerPool.upsert({
    where: { id: DEMO.poolId },
    create: { id: DEMO.poolId, tenantId: DEMO.tenantId, name: DEMO.poolName, labels: [...DEMO.poolLabels], provider, ...egress, ...limits, registrationTokenHash },
    // The demo pool is the demo tenant's own (a database from before pools had owners may hold it shared).
    update: { tenantId: DEMO.tenantId, shared: false, tenants: { deleteMany: {} }, registrationTokenHash, provider, ...egress, ...limits },
  });
  await recordAudit(db, ...poolChanges(poolBefore, { provider, ...egress, registrationTokenHash }));
  return admin;
}

type PoolFields = { provider: string; egress: string; egressAllowlist: string[]; registrationTokenHash: string };

/** The audit events for the demo pool's upsert: created, the fields that changed, a new registration token. */
function poolChanges(before: (PoolFields & { tenantId: string | null }) | null, after: PoolFields): AuditRecord[] {
  const event = (action: AuditRecord["action"], details: AuditRecord["details"]): AuditRecord => ({
    tenantId: DEMO.tenantId,
    actor: SEED_ACTOR,
    action,
    target: { type: "RunnerPool", id: DEMO.poolId },
    ...(details ? { details } : {}),
  });
  if (!before) return [event(AUDIT_ACTIONS.poolCreated, { name: DEMO.poolName, labels: [...DEMO.poolLabels], provider: after.provider, egress: after.egress, egressAllowlist: after.egressAllowlist })];
  const changed: Record<string, { from: string | string[]; to: string | string[] }> = {};
  if (before.provider !== after.provider) changed.provider = { from: before.provider, to: after.provider };
  if (before.egress !== after.egress) changed.egress = { from: before.egress, to: after.egress };
  if (before.egressAllowlist.join(",") !== after.egressAllowlist.join(",")) changed.egressAllowlist = { from: before.egressAllowlist, to: after.egressAllowlist };
  return [
    ...(Object.keys(changed).length > 0 ? [event(AUDIT_ACTIONS.poolUpdated, changed)] : []),
    // The hash is not a secret worth hiding, but the log needs only that it changed.
    ...(before.registrationTokenHash !== after.registrationTokenHash ? [event(AUDIT_ACTIONS.poolRegistrationTokenRotated, { by: "seed (GANTRY_RUNNER_TOKEN)" })] : []),
  ];
}
