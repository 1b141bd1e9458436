// The demo tenant the up-command seeds: one admin, one plain-git repository, one runner pool.
// Idempotent: running it twice changes nothing but the pool's registration token, when one is given.
import type { PoolLimits } from "@gantry/runner-protocol";
import type { Database } from "./database";
import { hashPassword } from "./passwords";
import { poolLimitData } from "./pool-limits";
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
  /** The demo pool's resource limits; each one not given is the default (DEFAULT_POOL_LIMITS). Validated here. */
  limits?: Partial<PoolLimits>;
  /** Enables signed push notifications for the demo git source; without it the source accepts none. */
  gitNotify?: { masterKey: Buffer; secret: string };
}

const EGRESS_POLICY = { none: "NONE", allowlist: "ALLOWLIST", open: "OPEN" } as const;

export async function seedDemo(db: Database, options: SeedOptions): Promise<void> {
  // Every job of the pool runs under these (DESIGN.md invariant 10); a bad value throws before anything is written.
  const limits = poolLimitData(options.limits);
  const sys = db.system("seed the demo tenant");
  await sys.tenant.upsert({
    where: { id: DEMO.tenantId },
    create: { id: DEMO.tenantId, slug: DEMO.tenantSlug, name: "Demo" },
    update: {},
  });
  const existing = await sys.user.findUnique({ where: { id: DEMO.userId } });
  if (!existing) {
    await sys.user.create({
      data: { id: DEMO.userId, email: DEMO.email, name: "Demo Admin", passwordHash: await hashPassword(DEMO.password) },
    });
  }
  const tenant = db.forTenant({ tenantId: DEMO.tenantId, actor: { kind: "SYSTEM", id: "seed" } });
  await tenant.membership.upsert({
    where: { tenantId_userId: { tenantId: DEMO.tenantId, userId: DEMO.userId } },
    create: { tenantId: DEMO.tenantId, userId: DEMO.userId, role: "ADMIN" },
    update: {},
  });
  const ctx = { tenantId: DEMO.tenantId, actor: { kind: "SYSTEM" as const, id: "seed" } };
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
  await sys.runnerPool.upsert({
    where: { id: DEMO.poolId },
    create: {
      id: DEMO.poolId,
      name: DEMO.poolName,
      labels: [...DEMO.poolLabels],
      provider: options.provider ?? "PROCESS",
      ...egress,
      ...limits,
      registrationTokenHash: hashToken(options.runnerRegistrationToken),
    },
    update: { registrationTokenHash: hashToken(options.runnerRegistrationToken), provider: options.provider ?? "PROCESS", ...egress, ...limits },
  });
}
