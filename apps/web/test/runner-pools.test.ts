// Runner pools shared across tenants (issue #13 item 7): a pool serves its own tenant only unless an operator
// shares it; a registration token cannot take over a live runner's name; a tenant admin rotates a token.
import { randomBytes } from "node:crypto";
import { hashToken, randomId, secretStore, type Role, type TenantContext } from "@gantry/db";
import { PROTOCOL_VERSION, claimResponse, errorResponse, registerResponse } from "@gantry/runner-protocol";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { POST as claimRoute } from "../src/app/api/runner/v1/claim/route";
import { POST as registerRoute } from "../src/app/api/runner/v1/register/route";
import type { SessionUser } from "../src/server/auth";
import { createCaller } from "../src/server/routers/_app";
import { createTRPCContext } from "../src/server/trpc";
import { closeRunnerTest, demo, post, readyJob } from "./runner-support";
import { DEMO, setupWebTest, stubWebEnv, type WebTestContext } from "./support";
import { rejection } from "./trpc-support";

let t: WebTestContext;
const prefix = `gantry-test-${randomBytes(4).toString("hex")}`;

beforeAll(async () => {
  t = await setupWebTest();
  t.env.GANTRY_MASTER_KEY = randomBytes(32).toString("base64");
  stubWebEnv({ ...t.env, GANTRY_QUEUE_PREFIX: prefix });
});
afterAll(async () => {
  await closeRunnerTest(t, prefix);
});

const registerBody = (name: string, extra: Record<string, unknown> = {}) => ({ protocolVersion: PROTOCOL_VERSION, name, version: "0.1.0", providers: ["process"], capacity: 1, ...extra });
const claim = async (credential: string, runnerId: string) => post(claimRoute, credential, { runnerId, waitMs: 0 });

async function addUser(role: Role): Promise<SessionUser> {
  const id = randomId("usr");
  await t.database.system("test").user.create({ data: { id, email: `${id}@example.test`, name: id } });
  await t.database.system("test").membership.create({ data: { tenantId: DEMO.tenantId, userId: id, role } });
  return { userId: id, email: `${id}@example.test`, name: id };
}
const caller = (session: SessionUser) => createCaller(createTRPCContext({ session, database: t.database, redis: t.redis, queues: t.queues }));

async function addTenant(slug: string): Promise<{ ctx: TenantContext; repositoryId: string }> {
  const id = randomId("ten");
  await t.database.system("test").tenant.create({ data: { id, slug, name: slug } });
  await t.database.system("test").repository.create({ data: { id: `${id}-repo`, tenantId: id, fullName: `${slug}/app` } });
  return { ctx: { tenantId: id, actor: { kind: "SYSTEM" } }, repositoryId: `${id}-repo` };
}

describe("pools belong to a tenant", () => {
  it("seeds the demo pool as the demo tenant's own, not shared", async () => {
    const pool = await t.database.system("test").runnerPool.findUniqueOrThrow({ where: { id: DEMO.poolId } });
    expect(pool.tenantId).toBe(DEMO.tenantId);
  });

  it("never routes another tenant's job to a tenant's pool, nor lets its runner claim it", async () => {
    const other = await addTenant("other-routing");
    const runner = registerResponse.parse(await (await post(registerRoute, t.registrationToken, registerBody("r-routing"))).json());
    const { jobId, routed } = await readyJob(t, "other-build", { tenant: other });
    expect(routed).toBe(false);
    const job = await t.database.system("test").jobRun.findUniqueOrThrow({ where: { id: jobId } });
    expect([job.status, job.poolId, job.failureReason]).toEqual(["FAILED", null, "no runner pool serves runs-on [ubuntu-latest]"]);
    expect(claimResponse.parse(await (await claim(runner.credential, runner.runnerId)).json()).assignment).toBeNull();
  });
});

describe("secrets and shared pools", () => {
  const deploySteps = [{ index: 0, if: "success()", run: "./deploy.sh", env: { TOKEN: "${{ secrets.DEPLOY_TOKEN }}" }, with: {}, continueOnError: false }];
  let gpu: { runnerId: string; credential: string };
  const opt = (secrets: boolean) => t.database.system("test").runnerPoolTenant.update({ where: { poolId_tenantId: { poolId: "pool_shared_gpu", tenantId: DEMO.tenantId } }, data: { secrets } });

  beforeAll(async () => {
    const token = `grt_${randomBytes(16).toString("hex")}`;
    // An operator's shared pool, open to the demo tenant without its secrets.
    await t.database.system("test").runnerPool.create({ data: { id: "pool_shared_gpu", shared: true, name: "shared-gpu", labels: ["gpu"], provider: "BWRAP", registrationTokenHash: hashToken(token), tenants: { create: { tenantId: DEMO.tenantId } } } });
    const masterKey = Buffer.from(t.env.GANTRY_MASTER_KEY ?? "", "base64");
    await secretStore(t.database.forTenant(demo), demo, masterKey).put("tenant", "DEPLOY_TOKEN", "s3cret-value-shared-pool");
    gpu = registerResponse.parse(await (await post(registerRoute, token, registerBody("r-gpu"))).json());
  });

  it("runs a job without secrets on a shared pool the tenant may use", async () => {
    const { routed } = await readyJob(t, "gpu-test", { runsOn: ["gpu"] });
    expect(routed).toBe(true);
    const { assignment } = claimResponse.parse(await (await claim(gpu.credential, gpu.runnerId)).json());
    expect(assignment?.job.key).toBe("gpu-test");
  });

  it("does not route a job that uses secrets to a shared pool the tenant has not opted in to sending secrets to", async () => {
    const { jobId, routed } = await readyJob(t, "gpu-deploy", { runsOn: ["gpu"], steps: deploySteps });
    expect(routed).toBe(false);
    const job = await t.database.system("test").jobRun.findUniqueOrThrow({ where: { id: jobId } });
    expect(job.failureReason).toBe("the job uses secrets, and the only runner pool serving runs-on [gpu] is shared pool 'shared-gpu', which this tenant has not opted in to sending secrets to");
    expect(claimResponse.parse(await (await claim(gpu.credential, gpu.runnerId)).json()).assignment).toBeNull();
  });

  it("hands the secrets over once the tenant opted in, and withholds them again when it opts out", async () => {
    const admin = await addUser("ADMIN");
    expect(await caller(admin).runners.setSharedPoolSecrets({ tenant: DEMO.tenantSlug, pool: "shared-gpu", secrets: true })).toEqual({ pool: "shared-gpu", secrets: true });
    expect((await readyJob(t, "gpu-deploy-in", { runsOn: ["gpu"], steps: deploySteps })).routed).toBe(true);
    expect(claimResponse.parse(await (await claim(gpu.credential, gpu.runnerId)).json()).assignment?.secrets).toEqual({ DEPLOY_TOKEN: "s3cret-value-shared-pool" });

    // Placed while opted in, claimed after opting out: the claim is the last check.
    expect((await readyJob(t, "gpu-deploy-out", { runsOn: ["gpu"], steps: deploySteps })).routed).toBe(true);
    await caller(admin).runners.setSharedPoolSecrets({ tenant: DEMO.tenantSlug, pool: "shared-gpu", secrets: false });
    const { assignment } = claimResponse.parse(await (await claim(gpu.credential, gpu.runnerId)).json());
    expect(assignment?.job.key).toBe("gpu-deploy-out");
    expect(assignment?.secrets).toEqual({});
    await opt(false);
  });

  it("never gives a shared pool's runner the jobs of a tenant the operator withdrew it from", async () => {
    const { jobId } = await readyJob(t, "gpu-withdrawn", { runsOn: ["gpu"] });
    await t.database.system("test").runnerPoolTenant.delete({ where: { poolId_tenantId: { poolId: "pool_shared_gpu", tenantId: DEMO.tenantId } } });
    expect(claimResponse.parse(await (await claim(gpu.credential, gpu.runnerId)).json()).assignment).toBeNull();
    // It lost its pool: the reconciler places it again (ready jobs without a pool), or fails it saying why.
    const job = await t.database.system("test").jobRun.findUniqueOrThrow({ where: { id: jobId } });
    expect([job.status, job.poolId]).toEqual(["WAITING", null]);
  });
});

describe("registering under an existing runner's name", () => {
  it("refuses to take over a live runner without its credential, changing nothing", async () => {
    const first = registerResponse.parse(await (await post(registerRoute, t.registrationToken, registerBody("r-live"))).json());
    const before = await t.database.system("test").runner.findUniqueOrThrow({ where: { id: first.runnerId } });

    const forged = await post(registerRoute, t.registrationToken, registerBody("r-live", { version: "6.6.6", capacity: 9 }));
    expect(forged.status).toBe(409);
    const refused = errorResponse.parse(await forged.json());
    expect(refused.code).toBe("runner_name_in_use");
    expect(refused.error).toContain("r-live");
    const after = await t.database.system("test").runner.findUniqueOrThrow({ where: { id: first.runnerId } });
    expect(after).toEqual(before);
    // The live runner keeps its identity: its credential still claims.
    expect((await claim(first.credential, first.runnerId)).status).toBe(200);

    // A wrong previous credential is refused the same way.
    expect((await post(registerRoute, t.registrationToken, registerBody("r-live", { credential: "grc_not_the_credential_at_all" }))).status).toBe(409);
    // With its own credential the runner re-registers: same id, a new credential, the old one dead.
    const again = registerResponse.parse(await (await post(registerRoute, t.registrationToken, registerBody("r-live", { credential: first.credential }))).json());
    expect(again.runnerId).toBe(first.runnerId);
    expect(again.credential).not.toBe(first.credential);
    expect((await claim(first.credential, first.runnerId)).status).toBe(401);
  });

  it("lets a new runner take the name of one that is gone (offline, no live attempt)", async () => {
    const old = registerResponse.parse(await (await post(registerRoute, t.registrationToken, registerBody("r-gone"))).json());
    await t.database.system("test").runner.update({ where: { id: old.runnerId }, data: { lastSeenAt: new Date(Date.now() - 120_000) } });
    const taken = await post(registerRoute, t.registrationToken, registerBody("r-gone"));
    expect(taken.status).toBe(200);
    expect((await claim(old.credential, old.runnerId)).status).toBe(401);
  });

  it("counts a runner holding a live lease as live, even when it has not claimed for a while", async () => {
    const busy = registerResponse.parse(await (await post(registerRoute, t.registrationToken, registerBody("r-busy"))).json());
    await readyJob(t, `busy-${randomBytes(2).toString("hex")}`);
    const { assignment } = claimResponse.parse(await (await claim(busy.credential, busy.runnerId)).json());
    expect(assignment).not.toBeNull();
    await t.database.system("test").runner.update({ where: { id: busy.runnerId }, data: { lastSeenAt: new Date(Date.now() - 120_000) } });
    expect((await post(registerRoute, t.registrationToken, registerBody("r-busy"))).status).toBe(409);
  });
});

describe("rotating a pool's registration token", () => {
  it("gives a tenant admin a new token once; the old one stops registering, runners keep their credentials", async () => {
    const runner = registerResponse.parse(await (await post(registerRoute, t.registrationToken, registerBody("r-rotate"))).json());
    const admin = await addUser("ADMIN");
    const { token } = await caller(admin).runners.rotateRegistrationToken({ tenant: DEMO.tenantSlug, pool: DEMO.poolName });
    expect(token).toMatch(/^grt_/);
    const pool = await t.database.system("test").runnerPool.findUniqueOrThrow({ where: { id: DEMO.poolId } });
    expect(pool.registrationTokenHash).not.toContain(token);
    // Audited for the tenant's admins, without the token.
    const audited = await t.database.system("test").auditEvent.findFirst({ where: { action: "pool.registration_token.rotated", tenantId: DEMO.tenantId, actorId: admin.userId } });
    expect(audited).toMatchObject({ actorKind: "USER", targetType: "RunnerPool" });
    expect(JSON.stringify(audited?.data)).not.toContain(token);

    expect((await post(registerRoute, t.registrationToken, registerBody("r-after-old"))).status).toBe(401);
    expect((await post(registerRoute, token, registerBody("r-after-new"))).status).toBe(200);
    expect((await claim(runner.credential, runner.runnerId)).status).toBe(200);
    t.registrationToken = token;
  });

  it("is refused below admin, and for a pool the tenant does not own", async () => {
    const maintainer = await addUser("MAINTAINER");
    expect((await rejection(caller(maintainer).runners.rotateRegistrationToken({ tenant: DEMO.tenantSlug, pool: DEMO.poolName }))).code).toBe("FORBIDDEN");
    const admin = await addUser("ADMIN");
    const other = await addTenant("other-rotation");
    await t.database.system("test").runnerPool.create({ data: { id: randomId("pool"), tenantId: other.ctx.tenantId, name: "someone-elses", labels: ["x"], provider: "BWRAP", registrationTokenHash: "h" } });
    expect((await rejection(caller(admin).runners.rotateRegistrationToken({ tenant: DEMO.tenantSlug, pool: "someone-elses" }))).code).toBe("NOT_FOUND");
    // A shared pool's token is its operator's, even when the pool is open to this tenant.
    expect((await rejection(caller(admin).runners.rotateRegistrationToken({ tenant: DEMO.tenantSlug, pool: "shared-gpu" }))).code).toBe("NOT_FOUND");
  });
});
