// Runner pool administration (issue #16): a tenant admin creates, edits and deletes the tenant's own pools, drains
// and removes runners; each change is audited; a drained runner's claim (through the real route) gets no new job.
import { randomBytes } from "node:crypto";
import { PROTOCOL_VERSION, claimResponse, registerResponse } from "@gantry/runner-protocol";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { POST as claimRoute } from "../src/app/api/runner/v1/claim/route";
import { POST as registerRoute } from "../src/app/api/runner/v1/register/route";
import type { SessionUser } from "../src/server/auth";
import { closeRunnerTest, post, readyJob } from "./runner-support";
import { DEMO, setupWebTest, stubWebEnv, type WebTestContext } from "./support";
import { auditOf, callerFor, member, rejection } from "./trpc-support";

let t: WebTestContext;
let admin: SessionUser;
const prefix = `gantry-test-${randomBytes(4).toString("hex")}`;
const tenant = DEMO.tenantSlug;

beforeAll(async () => {
  t = await setupWebTest();
  stubWebEnv({ ...t.env, GANTRY_QUEUE_PREFIX: prefix });
  admin = await member(t, "ADMIN");
});
afterAll(async () => {
  await closeRunnerTest(t, prefix);
});

const registerWith = async (token: string, name: string) => {
  const response = await post(registerRoute, token, { protocolVersion: PROTOCOL_VERSION, name, version: "0.2.0", providers: ["process"], capacity: 1 });
  expect(response.status).toBe(200);
  return registerResponse.parse(await response.json());
};
const claim = async (runner: { runnerId: string; credential: string }) => post(claimRoute, runner.credential, { runnerId: runner.runnerId, waitMs: 0 });

describe("runners.createPool", () => {
  it("creates the tenant's own pool, answers its registration token once and audits it", async () => {
    const created = await callerFor(t, admin).runners.createPool({ tenant, name: "gpu-pool", labels: ["gpu", "linux"], provider: "gvisor", cpus: 4, memoryBytes: "8589934592", egress: "allowlist", egressAllowlist: ["registry.npmjs.org"] });
    expect(created.pool.name).toBe("gpu-pool");
    expect(created.registrationToken).toMatch(/^grt_/);
    const row = await t.database.system("test").runnerPool.findUniqueOrThrow({ where: { id: created.pool.id } });
    expect([row.tenantId, row.shared, row.provider, row.egress, row.cpus, row.memoryBytes, row.pids]).toEqual([DEMO.tenantId, false, "GVISOR", "ALLOWLIST", 4, 8589934592n, 1024]);
    expect(row.registrationTokenHash).not.toContain(created.registrationToken);
    const runner = await registerWith(created.registrationToken, "gpu-1");
    expect(runner.pool).toBe("gpu-pool");
    const entry = (await auditOf(t, "pool.created")).find((event) => event.targetId === created.pool.id);
    expect(entry?.data).toMatchObject({ name: "gpu-pool", provider: "gvisor", cpus: 4 });
    expect(JSON.stringify(entry?.data)).not.toContain(created.registrationToken);
    // runners.list shows it as the tenant's own, with the registered runner.
    const listed = (await callerFor(t, admin).runners.list({ tenant })).find((pool) => pool.name === "gpu-pool");
    expect([listed?.own, listed?.runners.map((r) => [r.name, r.status, r.version, r.providers, r.busyWith])]).toEqual([true, [["gpu-1", "ONLINE", "0.2.0", ["PROCESS"], []]]]);
  });

  it("refuses bad input at its field and writes nothing", async () => {
    const before = await t.database.system("test").runnerPool.count();
    const cases: [Record<string, unknown>, string][] = [
      [{ name: "Bad Name", labels: ["x"], provider: "bwrap" }, "name"],
      [{ name: "no-labels", labels: [], provider: "bwrap" }, "labels"],
      [{ name: "tiny", labels: ["x"], provider: "bwrap", memoryBytes: 1024 }, "memoryBytes"],
      [{ name: "allow", labels: ["x"], provider: "bwrap", egress: "allowlist" }, "egressAllowlist"],
      [{ name: "proc", labels: ["x"], provider: "process", egress: "allowlist", egressAllowlist: ["example.com"] }, "egress"],
      [{ name: "kvm", labels: ["x"], provider: "docker" }, "provider"],
      [{ name: "unused-list", labels: ["x"], provider: "bwrap", egressAllowlist: ["example.com"] }, "egressAllowlist"],
    ];
    for (const [input, field] of cases) {
      const refused = await rejection(callerFor(t, admin).runners.createPool({ tenant, ...input } as never));
      expect(refused.code).toBe("BAD_REQUEST");
      const issues = (refused.cause as { issues?: { path: unknown[] }[] }).issues ?? [];
      expect(issues.map((issue) => issue.path[0])).toContain(field);
    }
    expect(await t.database.system("test").runnerPool.count()).toBe(before);
  });

  it("refuses a taken name, and every role below admin", async () => {
    expect((await rejection(callerFor(t, admin).runners.createPool({ tenant, name: DEMO.poolName, labels: ["x"], provider: "bwrap" }))).code).toBe("CONFLICT");
    for (const role of ["VIEWER", "DEVELOPER", "MAINTAINER"] as const) {
      const refused = await rejection(callerFor(t, await member(t, role)).runners.createPool({ tenant, name: `by-${role.toLowerCase()}`, labels: ["x"], provider: "bwrap" }));
      expect(refused.code).toBe("FORBIDDEN");
    }
    const outsider = await rejection(callerFor(t, { userId: "usr_nobody", email: "nobody@example.test", name: "nobody" }).runners.createPool({ tenant, name: "outsider", labels: ["x"], provider: "bwrap" }));
    expect(outsider.code).toBe("FORBIDDEN");
  });
});

describe("runners.updatePool", () => {
  it("changes the given fields, keeps the rest, and audits what changed", async () => {
    await callerFor(t, admin).runners.createPool({ tenant, name: "edit-me", labels: ["a"], provider: "bwrap" });
    const updated = await callerFor(t, admin).runners.updatePool({ tenant, pool: "edit-me", labels: ["a", "b"], maxTimeoutMinutes: 30 });
    expect(updated.changed.sort()).toEqual(["labels", "maxTimeoutMinutes"]);
    const row = await t.database.system("test").runnerPool.findUniqueOrThrow({ where: { name: "edit-me" } });
    expect([row.labels, row.maxTimeoutMinutes, row.provider, row.cpus]).toEqual([["a", "b"], 30, "BWRAP", 2]);
    const entries = await auditOf(t, "pool.updated");
    expect(entries.at(-1)?.data).toMatchObject({ pool: "edit-me", changes: { labels: { from: ["a"], to: ["a", "b"] }, maxTimeoutMinutes: { from: 360, to: 30 } } });
  });

  it("checks the pool as it would be: process with an existing allowlist is refused", async () => {
    await callerFor(t, admin).runners.createPool({ tenant, name: "filtered", labels: ["a"], provider: "bwrap", egress: "allowlist", egressAllowlist: ["10.0.0.0/8"] });
    const refused = await rejection(callerFor(t, admin).runners.updatePool({ tenant, pool: "filtered", provider: "process" }));
    expect(refused.code).toBe("BAD_REQUEST");
    expect(refused.message).toContain("process provider cannot filter egress");
    expect((await t.database.system("test").runnerPool.findUniqueOrThrow({ where: { name: "filtered" } })).provider).toBe("BWRAP");
  });

  it("refuses a shared pool (its operator's) and admins of another tenant", async () => {
    await t.database.system("test").runnerPool.create({ data: { id: "pool_shared_ops", tenantId: null, shared: true, name: "shared-ops", labels: ["x"], provider: "BWRAP", registrationTokenHash: "x" } });
    expect((await rejection(callerFor(t, admin).runners.updatePool({ tenant, pool: "shared-ops", cpus: 8 }))).code).toBe("NOT_FOUND");
    expect((await rejection(callerFor(t, admin).runners.deletePool({ tenant, pool: "shared-ops" }))).code).toBe("NOT_FOUND");
  });
});

describe("drain and remove", () => {
  it("a drained runner finishes its job but its claims get nothing new; a restart keeps it drained", async () => {
    const { registrationToken } = await callerFor(t, admin).runners.createPool({ tenant, name: "drain-pool", labels: ["drain-me"], provider: "process" });
    const runner = await registerWith(registrationToken, "drainer");
    const first = await readyJob(t, "drain-first", { runsOn: ["drain-me"] });
    expect(first.routed).toBe(true);
    const assignment = claimResponse.parse(await (await claim(runner)).json()).assignment;
    expect(assignment?.attemptId).toBeDefined();
    const busy = (await callerFor(t, admin).runners.list({ tenant })).find((pool) => pool.name === "drain-pool")?.runners[0];
    expect(busy?.busyWith).toEqual([{ job: "drain-first", runId: first.runId }]);

    const drained = await callerFor(t, admin).runners.drainRunner({ tenant, pool: "drain-pool", runner: "drainer" });
    expect(drained.runningJobs).toBe(1);
    await readyJob(t, "drain-second", { runsOn: ["drain-me"] });
    const refusedWork = await claim(runner);
    expect(refusedWork.status).toBe(200);
    expect(claimResponse.parse(await refusedWork.json()).assignment).toBeNull();
    // Registering again with its own credential does not undo the drain.
    const again = await post(registerRoute, registrationToken, { protocolVersion: PROTOCOL_VERSION, name: "drainer", version: "0.2.0", providers: ["process"], capacity: 1, credential: runner.credential });
    const reRegistered = registerResponse.parse(await again.json());
    expect(claimResponse.parse(await (await claim(reRegistered)).json()).assignment).toBeNull();
    // Another runner of the pool takes the waiting job.
    const fresh = await registerWith(registrationToken, "fresh");
    expect(claimResponse.parse(await (await claim(fresh)).json()).assignment).not.toBeNull();
    expect((await auditOf(t, "runner.drained")).at(-1)?.data).toMatchObject({ pool: "drain-pool", runner: "drainer", runningJobs: 1 });

    // The pool cannot be deleted while its jobs run.
    const refusedDelete = await rejection(callerFor(t, admin).runners.deletePool({ tenant, pool: "drain-pool" }));
    expect(refusedDelete.code).toBe("PRECONDITION_FAILED");
    expect(refusedDelete.message).toMatch(/still has jobs on it \(\d+ running\)/);
    expect(await t.database.system("test").runnerPool.count({ where: { name: "drain-pool" } })).toBe(1);
  });

  it("a removed runner's credential stops working; drain and remove need admin", async () => {
    const { registrationToken } = await callerFor(t, admin).runners.createPool({ tenant, name: "remove-pool", labels: ["remove-me"], provider: "bwrap" });
    const runner = await registerWith(registrationToken, "goner");
    for (const role of ["VIEWER", "DEVELOPER", "MAINTAINER"] as const) {
      const someone = callerFor(t, await member(t, role));
      expect((await rejection(someone.runners.drainRunner({ tenant, pool: "remove-pool", runner: "goner" }))).code).toBe("FORBIDDEN");
      expect((await rejection(someone.runners.removeRunner({ tenant, pool: "remove-pool", runner: "goner" }))).code).toBe("FORBIDDEN");
      expect((await rejection(someone.runners.deletePool({ tenant, pool: "remove-pool" }))).code).toBe("FORBIDDEN");
      expect((await rejection(someone.runners.updatePool({ tenant, pool: "remove-pool", cpus: 1 }))).code).toBe("FORBIDDEN");
    }
    expect((await rejection(callerFor(t, admin).runners.removeRunner({ tenant, pool: "remove-pool", runner: "nobody" }))).code).toBe("NOT_FOUND");
    await callerFor(t, admin).runners.removeRunner({ tenant, pool: "remove-pool", runner: "goner" });
    expect((await claim(runner)).status).toBe(401);
    expect((await auditOf(t, "runner.removed")).at(-1)?.data).toMatchObject({ pool: "remove-pool", runner: "goner" });
  });

  it("deletes an idle pool with its runners and audits it", async () => {
    const { registrationToken } = await callerFor(t, admin).runners.createPool({ tenant, name: "delete-pool", labels: ["delete-me"], provider: "bwrap" });
    const runner = await registerWith(registrationToken, "doomed");
    const deleted = await callerFor(t, admin).runners.deletePool({ tenant, pool: "delete-pool" });
    expect(deleted.runnersRemoved).toBe(1);
    expect((await claim(runner)).status).toBe(401);
    expect((await post(registerRoute, registrationToken, { protocolVersion: PROTOCOL_VERSION, name: "again", version: "0.2.0", providers: ["process"], capacity: 1 })).status).toBe(401);
    expect((await auditOf(t, "pool.deleted")).at(-1)?.data).toEqual({ pool: "delete-pool", runners: 1 });
  });
});
