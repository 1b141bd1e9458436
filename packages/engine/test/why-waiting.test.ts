// "Why is my job waiting?" (issue #17) from the engine's own state: each reason a QUEUED or WAITING job can have,
// made real through the engine (compiled workflows, the fair queue, claims) rather than written into rows, then
// read back with whyWaiting and said in words with describeWait.
import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { intake, type TenantContext } from "@gantry/db";
import { Queues } from "@gantry/jobs";
import { manualClock } from "@gantry/testing";
import { compileWorkflow } from "@gantry/workflow-schema";
import { createEngine, describeWait, type Engine, type WaitReason } from "../src/index";
import { engineTestbed, type EngineTestbed } from "./testbed";

let bed: EngineTestbed;
let queues: Queues;
let engine: Engine;
const clock = manualClock();
const ctx: TenantContext = { tenantId: "ten_why", actor: { kind: "SYSTEM" } };
const POOL = "pool-why";

beforeAll(async () => {
  bed = await engineTestbed();
  queues = new Queues(bed.redis, bed.prefix);
  engine = createEngine({ db: bed.db, scheduler: bed.scheduler, queues, clock, log: () => undefined });
  await bed.addTenant("why", { id: ctx.tenantId, repositoryId: "repo-why" });
  await bed.addPool(POOL, { tenantId: ctx.tenantId, labels: ["ubuntu-latest"] });
  await bed.addPool("pool-gpu-offline", { tenantId: ctx.tenantId, labels: ["gpu"] });
});
afterAll(async () => {
  await queues.close();
  await bed.close();
});

const sys = () => bed.db.system("test");

async function runnerOnline(poolId: string, name: string) {
  await sys().runner.upsert({ where: { id: name }, create: { id: name, poolId, name, credentialHash: "x", version: "test", capacity: 4, lastSeenAt: new Date(clock.now()) }, update: { lastSeenAt: new Date(clock.now()) } });
}

async function start(yaml: string): Promise<{ runId: string; jobs: Map<string, string> }> {
  const { plan, errors } = compileWorkflow(yaml, ".gantry/workflows/ci.yml");
  if (!plan) throw new Error(errors.map((error) => error.message).join("; "));
  const created = await intake.createRun(sys(), ctx, {
    repositoryId: "repo-why",
    idempotencyKey: randomBytes(8).toString("hex"),
    workflowPath: plan.file,
    workflowName: plan.name || "CI",
    event: "push",
    ref: "refs/heads/main",
    sha: randomBytes(20).toString("hex"),
    trusted: true,
    plan,
  });
  await engine.startRun(ctx, created.runId);
  const rows = await sys().jobRun.findMany({ where: { runId: created.runId }, select: { id: true, key: true } });
  return { runId: created.runId, jobs: new Map(rows.map((row) => [row.key, row.id])) };
}

async function reasons(runId: string): Promise<Record<string, WaitReason>> {
  const byId = await engine.whyWaiting(ctx, runId);
  const rows = await sys().jobRun.findMany({ where: { runId }, select: { id: true, key: true } });
  return Object.fromEntries(rows.flatMap((row) => (byId.has(row.id) ? [[row.key, byId.get(row.id) as WaitReason]] : [])));
}

const claim = (runnerId: string) => engine.claim({ poolId: POOL, runnerId, leaseMs: 60_000, maxTimeoutMinutes: 360 });
const steps = "    steps:\n      - run: make";

describe("why a job is waiting", () => {
  it("names the needs not finished, and a pool without a runner online", async () => {
    const { runId } = await start(`on: push\njobs:\n  build:\n    runs-on: ubuntu-latest\n${steps}\n  test:\n    needs: build\n    runs-on: ubuntu-latest\n${steps}\n  train:\n    runs-on: gpu\n${steps}\n`);
    const why = await reasons(runId);
    expect(why.test).toEqual({ kind: "needs", jobs: [{ key: "build", status: "WAITING" }] });
    expect(why.build).toEqual({ kind: "no-runner", pool: POOL, labels: ["ubuntu-latest"] });
    expect(why.train).toMatchObject({ kind: "no-runner", pool: "pool-gpu-offline", labels: ["gpu"] });
    expect(describeWait(why.test as WaitReason)).toBe("Waiting for build (queued) to finish.");
  });

  it("names labels no pool serves, with the pools there are", async () => {
    const { runId } = await start(`on: push\njobs:\n  mac:\n    runs-on: macos-14\n${steps}\n`);
    const why = await reasons(runId);
    // enqueue fails a job whose labels no pool serves; a job left without a pool (the pool deleted) says so too.
    if (why.mac) expect(why.mac).toMatchObject({ kind: "no-pool", labels: ["macos-14"] });
    else expect((await sys().jobRun.findFirstOrThrow({ where: { runId } })).failureReason).toMatch(/macos-14/);
  });

  it("gives the place in line, then the tenant's cap, then the rate limit, and 'starting' once claimed", async () => {
    await runnerOnline(POOL, "runner-why");
    const matrix = `on: push\njobs:\n  cell:\n    strategy:\n      matrix:\n        n: [1, 2, 3, 4]\n    runs-on: ubuntu-latest\n${steps}\n`;
    const { runId, jobs } = await start(matrix);
    let why = await reasons(runId);
    // One after another in line (behind what earlier tests left queued in the pool).
    const aheads = Object.values(why).map((reason) => (reason.kind === "queued" ? reason.ahead : -1)).sort((a, b) => a - b);
    const first = aheads[0] ?? -1;
    expect(first).toBeGreaterThanOrEqual(0);
    expect(aheads).toEqual([first, first + 1, first + 2, first + 3]);

    await bed.scheduler.setTenantPolicy(POOL, ctx.tenantId, { weight: 1, maxConcurrent: 1, ratePerSec: null, burst: 1 });
    const claimed = await claim("runner-why");
    expect(claimed).not.toBeNull();
    why = await reasons(runId);
    const claimedKey = [...jobs].find(([, id]) => id === claimed?.claimed.jobId)?.[0] ?? "";
    // The claimed cell is RUNNING now (not waiting); the others are at the tenant's cap.
    expect(why[claimedKey]).toBeUndefined();
    expect(Object.values(why).every((reason) => reason.kind === "tenant-cap" && reason.running === 1 && reason.max === 1)).toBe(true);
    expect(describeWait(Object.values(why)[0] as WaitReason)).toBe(`The tenant's concurrency cap is reached in pool ${POOL}: 1 of 1 jobs running.`);

    await bed.scheduler.setTenantPolicy(POOL, ctx.tenantId, { weight: 1, maxConcurrent: null, ratePerSec: 0.001, burst: 1 });
    await claim("runner-why");
    // The bucket's one token went to that claim: the next one finds it empty and the tenant throttled.
    expect(await claim("runner-why")).toBeNull();
    why = await reasons(runId);
    expect(Object.values(why).some((reason) => reason.kind === "rate-limit" && reason.perSecond === 0.001 && reason.nextTokenAt !== null)).toBe(true);
    await bed.scheduler.setTenantPolicy(POOL, ctx.tenantId, { weight: 1, maxConcurrent: null, ratePerSec: null, burst: 1 });
  });

  it("names the run holding a concurrency group", async () => {
    await runnerOnline(POOL, "runner-why");
    const yaml = `on: push\nconcurrency: deploy-prod\njobs:\n  deploy:\n    runs-on: ubuntu-latest\n${steps}\n`;
    const holder = await start(yaml);
    const held = await start(yaml);
    const holderRun = await sys().workflowRun.findUniqueOrThrow({ where: { id: holder.runId } });
    const why = await reasons(held.runId);
    expect(why.deploy).toEqual({ kind: "run-concurrency", group: "deploy-prod", heldBy: { runId: holder.runId, runNumber: holderRun.runNumber, workflow: holderRun.workflowName } });
    expect(describeWait(why.deploy as WaitReason)).toBe(`Waiting for concurrency group "deploy-prod", held by ${holderRun.workflowName} #${holderRun.runNumber}.`);
  });

  it("names the environment's wait timer, then its reviewers and the approvals given", async () => {
    const environment = await sys().environment.create({ data: { id: "env-why", tenantId: ctx.tenantId, repositoryId: "repo-why", name: "production" } });
    await sys().user.create({ data: { id: "usr-rev", email: "rev@example.com", name: "Rita Reviewer" } });
    await sys().protectionRule.create({ data: { id: "rule-why-wait", tenantId: ctx.tenantId, environmentId: environment.id, kind: "WAIT_TIMER", config: { minutes: 5 } } });
    await sys().protectionRule.create({ data: { id: "rule-why-rev", tenantId: ctx.tenantId, environmentId: environment.id, kind: "REQUIRED_REVIEWERS", config: { reviewers: ["usr-rev"], reviewerRoles: ["ADMIN"], requiredApprovals: 2 } } });
    const { runId } = await start(`on: push\njobs:\n  ship:\n    environment: production\n    runs-on: ubuntu-latest\n${steps}\n`);
    const why = await reasons(runId);
    if (why.ship?.kind === "wait-timer") {
      expect(new Date(why.ship.until).getTime()).toBeGreaterThan(clock.now());
      clock.advance(6 * 60_000);
      await engine.advance(ctx, runId);
    }
    const after = (await reasons(runId)).ship;
    expect(after).toMatchObject({ kind: "approval", environment: "production", requiredApprovals: 2, approvals: 0, reviewers: ["Rita Reviewer"], reviewerRoles: ["ADMIN"] });
    expect(describeWait(after as WaitReason)).toMatch(/^Waiting for approval to deploy to production: 0 of 2 given; can approve: Rita Reviewer, any admin; expires /);
  });

  it("names max-parallel when the matrix's places are taken", async () => {
    await runnerOnline(POOL, "runner-why");
    const { runId } = await start(`on: push\njobs:\n  cell:\n    strategy:\n      max-parallel: 1\n      matrix:\n        n: [1, 2]\n    runs-on: ubuntu-latest\n${steps}\n`);
    const why = Object.values(await reasons(runId));
    expect(why.map((reason) => reason.kind).sort()).toEqual(["max-parallel", "queued"]);
    expect(why.find((reason) => reason.kind === "max-parallel")).toEqual({ kind: "max-parallel", active: 1, maxParallel: 1 });
  });
});
