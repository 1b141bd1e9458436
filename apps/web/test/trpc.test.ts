// The procedure chain against a real database: public → authed → tenant → role.
import { randomId, type Role } from "@gantry/db";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { SessionUser } from "../src/server/auth";
import { createCaller } from "../src/server/routers/_app";
import {
  createCallerFactory,
  createTRPCContext,
  createTRPCRouter,
  maintainerProcedure,
  viewerProcedure,
} from "../src/server/trpc";
import { DEMO, setupWebTest, type WebTestContext } from "./support";
import { rejection } from "./trpc-support";

let t: WebTestContext;
const demoUser: SessionUser = { userId: DEMO.userId, email: DEMO.email, name: "Demo Admin" };
let now = new Date();

const caller = (session: SessionUser | null) =>
  createCaller(createTRPCContext({ session, database: t.database, redis: t.redis, queues: t.queues, now: () => now }));

async function addUser(role: Role | null, tenantId: string = DEMO.tenantId): Promise<SessionUser> {
  const id = randomId("usr");
  const email = `${id}@example.test`;
  await t.database.system("test").user.create({ data: { id, email, name: id } });
  if (role) await t.database.system("test").membership.create({ data: { tenantId, userId: id, role } });
  return { userId: id, email, name: id };
}

async function addTenant(slug: string): Promise<string> {
  const id = randomId("ten");
  await t.database.system("test").tenant.create({ data: { id, slug, name: `Tenant ${slug}` } });
  await t.database
    .system("test")
    .repository.create({ data: { id: `${id}-repo`, tenantId: id, fullName: `${slug}/app` } });
  return id;
}

async function addRun(tenantId: string, repositoryId: string, runNumber: number) {
  await t.database.forTenant({ tenantId, actor: { kind: "SYSTEM" } }).workflowRun.create({
    data: {
      id: randomId("run"),
      tenantId,
      repositoryId,
      idempotencyKey: `push:${randomId("k")}`,
      workflowPath: ".gantry/workflows/ci.yml",
      workflowName: `CI ${runNumber}`,
      event: "push",
      ref: "refs/heads/main",
      sha: "a".repeat(40),
      runNumber,
      plan: {},
    },
  });
}

beforeAll(async () => {
  t = await setupWebTest();
});
afterAll(async () => {
  await t?.close();
});

describe("public", () => {
  it("health.status answers without a session", async () => {
    const health = await caller(null).health.status();
    expect(health.status).toBe("ok");
    expect(health.postgres.ok).toBe(true);
    expect(health.redis.ok).toBe(true);
  });
});

describe("authed", () => {
  it("is UNAUTHORIZED without a session", async () => {
    const error = await rejection(caller(null).tenants.list());
    expect(error.code).toBe("UNAUTHORIZED");
    expect((await rejection(caller(null).runs.list({ tenant: DEMO.tenantSlug }))).code).toBe("UNAUTHORIZED");
  });

  it("tenants.list returns only the caller's memberships", async () => {
    await addTenant("elsewhere");
    expect(await caller(demoUser).tenants.list()).toEqual([
      { id: DEMO.tenantId, slug: DEMO.tenantSlug, name: "Demo", role: "ADMIN" },
    ]);
    expect(await caller(await addUser(null)).tenants.list()).toEqual([]);
  });
});

describe("tenant", () => {
  it("is FORBIDDEN, naming the tenant, for a non-member and for a tenant that does not exist", async () => {
    const outsider = await addUser(null);
    const error = await rejection(caller(outsider).runs.list({ tenant: DEMO.tenantSlug }));
    expect(error.code).toBe("FORBIDDEN");
    expect(error.message).toBe("You are not a member of tenant 'demo'.");
    const missing = await rejection(caller(demoUser).runs.list({ tenant: "no-such-tenant" }));
    expect(missing.code).toBe("FORBIDDEN");
    expect(missing.message).toBe("You are not a member of tenant 'no-such-tenant'.");
  });

  it("rejects a malformed tenant slug as BAD_REQUEST", async () => {
    expect((await rejection(caller(demoUser).runs.list({ tenant: "Not A Slug" }))).code).toBe("BAD_REQUEST");
  });

  it("runs.list sees this tenant's runs only, newest first, and honours the limit", async () => {
    expect(await caller(demoUser).runs.list({ tenant: DEMO.tenantSlug })).toEqual({ runs: [], nextCursor: null });
    const other = await addTenant("other-runs");
    await addRun(other, `${other}-repo`, 1);
    await addRun(DEMO.tenantId, DEMO.repositoryId, 1);
    await addRun(DEMO.tenantId, DEMO.repositoryId, 2);
    const { runs } = await caller(demoUser).runs.list({ tenant: DEMO.tenantSlug });
    expect(runs.map((run) => [run.runNumber, run.repository, run.status])).toEqual([
      [2, DEMO.repositoryName, "QUEUED"],
      [1, DEMO.repositoryName, "QUEUED"],
    ]);
    expect((await caller(demoUser).runs.list({ tenant: DEMO.tenantSlug, limit: 1 })).runs).toHaveLength(1);
  });

  it("runs.list filters by repository and by status (the CLI's --repo and --status)", async () => {
    await t.database.system("test").repository.create({ data: { id: "repo_filter_other", tenantId: DEMO.tenantId, fullName: "demo/other" } });
    await addRun(DEMO.tenantId, "repo_filter_other", 1);
    expect((await caller(demoUser).runs.list({ tenant: DEMO.tenantSlug, repository: "demo/other" })).runs.map((run) => run.repository)).toEqual(["demo/other"]);
    await t.database.system("test").workflowRun.updateMany({ where: { repositoryId: "repo_filter_other" }, data: { status: "FAILED" } });
    expect((await caller(demoUser).runs.list({ tenant: DEMO.tenantSlug, status: "FAILED" })).runs.map((run) => run.repository)).toEqual(["demo/other"]);
    expect((await caller(demoUser).runs.list({ tenant: DEMO.tenantSlug, repository: "nobody/nothing" })).runs).toEqual([]);
    // @ts-expect-error a status that does not exist, as a script might send it
    expect((await rejection(caller(demoUser).runs.list({ tenant: DEMO.tenantSlug, status: "DONE" }))).code).toBe("BAD_REQUEST");
  });

  it("runners.list shows the tenant's own pools and the shared ones open to it, never another tenant's, with online status", async () => {
    const other = await addTenant("other-pools");
    const system = t.database.system("test");
    await system.runnerPool.create({
      data: { id: "pool_shared_open", shared: true, name: "shared-open", labels: ["big"], provider: "GVISOR", registrationTokenHash: "s", tenants: { create: { tenantId: DEMO.tenantId } } },
    });
    await system.runnerPool.create({
      data: { id: "pool_shared_closed", shared: true, name: "shared-closed", labels: ["big"], provider: "GVISOR", registrationTokenHash: "z", tenants: { create: { tenantId: other } } },
    });
    await system.runnerPool.create({
      data: {
        id: randomId("pool"),
        tenantId: other,
        name: "other-private",
        labels: ["gpu"],
        provider: "BWRAP",
        registrationTokenHash: "x",
      },
    });
    await system.runnerPool.create({
      data: {
        id: "pool_demo_own",
        tenantId: DEMO.tenantId,
        name: "demo-private",
        labels: ["arm64"],
        provider: "GVISOR",
        egress: "ALLOWLIST",
        egressAllowlist: ["registry.npmjs.org", "10.0.0.0/8"],
        registrationTokenHash: "y",
      },
    });
    now = new Date();
    await system.runner.create({
      data: {
        id: "rnr_fresh",
        poolId: DEMO.poolId,
        name: "fresh",
        credentialHash: "c",
        version: "1.0.0",
        lastSeenAt: new Date(now.getTime() - 5_000),
      },
    });
    await system.runner.create({
      data: {
        id: "rnr_stale",
        poolId: DEMO.poolId,
        name: "stale",
        credentialHash: "c",
        version: "1.0.0",
        lastSeenAt: new Date(now.getTime() - 31_000),
      },
    });

    const pools = await caller(demoUser).runners.list({ tenant: DEMO.tenantSlug });
    expect(pools.map((pool) => [pool.name, pool.shared, pool.receivesSecrets])).toEqual([
      ["default", false, true],
      ["demo-private", false, true],
      ["shared-open", true, false],
    ]);
    const shared = pools[0]; // the demo pool (its runners below)
    expect(shared?.labels).toEqual([...DEMO.poolLabels]);
    // Each pool's limits, as numbers (the demo pool's are the defaults).
    expect(shared?.limits).toEqual({ cpus: 2, memoryBytes: 4 * 1024 ** 3, pids: 1024, diskBytes: 10 * 1024 ** 3, fileSizeBytes: 10 * 1024 ** 3, maxTimeoutMinutes: 360 });
    expect(pools[1]).toMatchObject({ egress: "ALLOWLIST", egressAllowlist: ["registry.npmjs.org", "10.0.0.0/8"] });
    expect(shared?.onlineCount).toBe(1);
    expect(shared?.runners.map((runner) => [runner.name, runner.online])).toEqual([
      ["fresh", true],
      ["stale", false],
    ]);

    // Time passes: nobody pinged, so nobody is online.
    now = new Date(now.getTime() + 60_000);
    const later = await caller(demoUser).runners.list({ tenant: DEMO.tenantSlug });
    expect(later[0]?.onlineCount).toBe(0);
  });
});

describe("roles", () => {
  const router = createTRPCRouter({
    read: viewerProcedure.query(({ ctx }) => ({ tenant: ctx.tenant.slug, role: ctx.role })),
    manage: maintainerProcedure.mutation(() => "done"),
  });
  const testCaller = (session: SessionUser) =>
    createCallerFactory(router)(createTRPCContext({ session, database: t.database, redis: t.redis, queues: t.queues }));

  it("lets a viewer read and refuses a maintainer action, naming the missing role", async () => {
    const viewer = await addUser("VIEWER");
    expect(await testCaller(viewer).read({ tenant: DEMO.tenantSlug })).toEqual({
      tenant: "demo",
      role: "VIEWER",
    });
    const error = await rejection(testCaller(viewer).manage({ tenant: DEMO.tenantSlug }));
    expect(error.code).toBe("FORBIDDEN");
    expect(error.message).toBe("This needs the maintainer role in tenant 'demo'; you are a viewer.");
  });

  it("lets a maintainer and an admin through", async () => {
    expect(await testCaller(await addUser("MAINTAINER")).manage({ tenant: DEMO.tenantSlug })).toBe("done");
    expect(await testCaller(demoUser).manage({ tenant: DEMO.tenantSlug })).toBe("done");
  });

  it("does not let a role in one tenant count in another", async () => {
    const other = await addTenant("role-elsewhere");
    const adminElsewhere = await addUser("ADMIN", other);
    expect((await rejection(testCaller(adminElsewhere).read({ tenant: DEMO.tenantSlug }))).code).toBe(
      "FORBIDDEN",
    );
  });
});
