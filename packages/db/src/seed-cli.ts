// `tsx packages/db/src/seed-cli.ts`: seeds the demo tenant (used by the up-command).
// Env: DATABASE_URL, GANTRY_DEMO_REPO_URL, GANTRY_RUNNER_TOKEN; optional: GANTRY_DEMO_PROVIDER, and the demo pool's
// egress, GANTRY_DEMO_EGRESS (none, allowlist, open) with GANTRY_DEMO_EGRESS_ALLOWLIST (comma-separated hosts/CIDRs),
// and GANTRY_HOST (where the web server listens: the published demo password only on loopback),
// and GANTRY_DEMO_INJECTION_IS_ERROR (true, false; unset leaves the demo tenant's setting as it is),
// and the demo pool's resource limits, GANTRY_DEMO_CPUS, _MEMORY_BYTES, _PIDS, _DISK_BYTES, _FILE_SIZE_BYTES, _MAX_TIMEOUT_MINUTES
// (each unset one is the default, DEFAULT_POOL_LIMITS).
import { egressAllowlist, poolLimits } from "@gantry/runner-protocol";
import { z } from "zod";
import { openDatabase } from "./database";
import { dbEnvSchema } from "./env";
import { parseMasterKey, SecretError } from "./secrets";
import { DEMO, seedDemo } from "./seed";

const parsed = dbEnvSchema
  .extend({
    GANTRY_DEMO_REPO_URL: z.string().min(1),
    GANTRY_RUNNER_TOKEN: z.string().min(20),
    GANTRY_DEMO_PROVIDER: z.enum(["MICROVM", "GVISOR", "BWRAP", "PROCESS"]).default("PROCESS"),
    GANTRY_DEMO_EGRESS: z.enum(["none", "allowlist", "open"]).default("none"),
    GANTRY_DEMO_EGRESS_ALLOWLIST: z
      .string()
      .default("")
      .transform((list) => list.split(",").map((entry) => entry.trim()).filter(Boolean))
      .pipe(egressAllowlist),
    GANTRY_DEMO_INJECTION_IS_ERROR: z
      .enum(["true", "false"])
      .optional()
      .transform((value) => (value === undefined ? undefined : value === "true")),
    GANTRY_DEMO_CPUS: z.coerce.number().pipe(poolLimits.shape.cpus).optional(),
    GANTRY_DEMO_MEMORY_BYTES: z.coerce.number().pipe(poolLimits.shape.memoryBytes).optional(),
    GANTRY_DEMO_PIDS: z.coerce.number().pipe(poolLimits.shape.pids).optional(),
    GANTRY_DEMO_DISK_BYTES: z.coerce.number().pipe(poolLimits.shape.diskBytes).optional(),
    GANTRY_DEMO_FILE_SIZE_BYTES: z.coerce.number().pipe(poolLimits.shape.fileSizeBytes).optional(),
    GANTRY_DEMO_MAX_TIMEOUT_MINUTES: z.coerce.number().pipe(poolLimits.shape.maxTimeoutMinutes).optional(),
    GANTRY_MASTER_KEY: z.string().min(1),
    GANTRY_DEMO_NOTIFY_SECRET: z.string().min(20),
    GANTRY_HOST: z.string().min(1).default("127.0.0.1"),
  })
  .safeParse(process.env);
if (!parsed.success) {
  console.error(`seed: bad environment\n${z.prettifyError(parsed.error)}`);
  process.exit(1);
}
const env = parsed.data;
const db = openDatabase(env.DATABASE_URL);
try {
  const seeded = await seedDemo(db, {
    repositoryUrl: env.GANTRY_DEMO_REPO_URL,
    runnerRegistrationToken: env.GANTRY_RUNNER_TOKEN,
    provider: env.GANTRY_DEMO_PROVIDER,
    egress: { policy: env.GANTRY_DEMO_EGRESS, allowlist: env.GANTRY_DEMO_EGRESS_ALLOWLIST },
    ...(env.GANTRY_DEMO_INJECTION_IS_ERROR === undefined ? {} : { injectionIsError: env.GANTRY_DEMO_INJECTION_IS_ERROR }),
    limits: {
      ...(env.GANTRY_DEMO_CPUS !== undefined ? { cpus: env.GANTRY_DEMO_CPUS } : {}),
      ...(env.GANTRY_DEMO_MEMORY_BYTES !== undefined ? { memoryBytes: env.GANTRY_DEMO_MEMORY_BYTES } : {}),
      ...(env.GANTRY_DEMO_PIDS !== undefined ? { pids: env.GANTRY_DEMO_PIDS } : {}),
      ...(env.GANTRY_DEMO_DISK_BYTES !== undefined ? { diskBytes: env.GANTRY_DEMO_DISK_BYTES } : {}),
      // Unset: as large as the disk (the pool's file-size column stays the disk's).
      ...(env.GANTRY_DEMO_FILE_SIZE_BYTES !== undefined ? { fileSizeBytes: env.GANTRY_DEMO_FILE_SIZE_BYTES } : env.GANTRY_DEMO_DISK_BYTES !== undefined ? { fileSizeBytes: env.GANTRY_DEMO_DISK_BYTES } : {}),
      ...(env.GANTRY_DEMO_MAX_TIMEOUT_MINUTES !== undefined ? { maxTimeoutMinutes: env.GANTRY_DEMO_MAX_TIMEOUT_MINUTES } : {}),
    },
    gitNotify: { masterKey: parseMasterKey(env.GANTRY_MASTER_KEY), secret: env.GANTRY_DEMO_NOTIFY_SECRET },
    host: env.GANTRY_HOST,
  });
  console.log("seeded the demo tenant");
  if (seeded.generatedPassword) {
    // The only time it is shown: Postgres holds its scrypt hash and nothing else does.
    console.log(`${DEMO.email} admin password (shown once, only its hash is stored): ${seeded.generatedPassword}`);
  }
} catch (error) {
  // The demo tenant's data key was sealed under another master key: this database was seeded by another checkout
  // (or before its state folder was deleted). Say which and how out, instead of a stack trace.
  if (!(error instanceof SecretError)) throw error;
  const where = new URL(env.DATABASE_URL);
  console.error(
    `seed: the database ${where.pathname.slice(1)} on ${where.host} holds the demo tenant's secrets sealed with another master key than this checkout's (GANTRY_MASTER_KEY, kept in its state folder's secrets.json): another checkout or an earlier state folder seeded it. Use that checkout's state folder (GANTRY_STATE_DIR), point DATABASE_URL at another database, or drop this one if its data is not needed (dropdb ${where.pathname.slice(1)}).`,
  );
  process.exitCode = 1;
} finally {
  await db.close();
}
