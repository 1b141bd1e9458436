// A claim reads only its job's part of the run's plan (plan/read-job-plan.ts, db's jobPlanSlice). It must agree,
// for every job of a run, with the whole plan read by the engine's one plan reader: the job's entry, the plan's env,
// the callers a called job's secrets come through, and a matrix cell's place among its cells.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Database, TenantContext } from "@gantry/db";
import { compileWorkflowWithCalls } from "@gantry/workflow-schema";
import { matrixCells } from "../src/contexts/strategy";
import { readJobPlan } from "../src/plan/read-job-plan";
import { readPlan } from "../src/plan/read-plan";
import { engineTestbed, type EngineTestbed } from "./testbed";
import { startPlannedRun } from "./run/start-planned-run";

let bed: EngineTestbed;
let db: Database;
const ctx: TenantContext = { tenantId: "ten_slice", actor: { kind: "SYSTEM" } };

beforeAll(async () => {
  bed = await engineTestbed();
  db = bed.db;
  await bed.addTenant("slice", { id: ctx.tenantId });
  await bed.addTenant("other", { id: "ten_other", repositoryId: "repo-other" });
  await bed.addPool("pool-slice", { tenantId: ctx.tenantId });
});
afterAll(() => bed.close());

const LIB = `on:
  workflow_call:
    secrets:
      token: {required: false}
jobs:
  shard:
    strategy:
      matrix:
        part: [1, 2]
    runs-on: ubuntu-latest
    steps: [{run: "echo \${{ secrets.token }}"}]
`;

const WORKFLOW = `on: push
env:
  LEVEL: workflow
jobs:
  plain:
    runs-on: ubuntu-latest
    steps: [{run: "true"}]
  cells:
    strategy:
      fail-fast: false
      matrix:
        os: [a, b, c]
        node: [20, 22]
    runs-on: ubuntu-latest
    steps: [{run: "true"}]
  call:
    uses: ./lib/shards.yml
    secrets:
      token: \${{ secrets.DEPLOY_TOKEN }}
`;

describe("a claim's part of the plan", () => {
  it("agrees with the whole plan for every job: entry, env, callers and a cell's place", async () => {
    const { plan: compiled, errors } = await compileWorkflowWithCalls(WORKFLOW, ".gantry/workflows/ci.yml", {}, async (path) => (path === "lib/shards.yml" ? LIB : undefined));
    if (!compiled) throw new Error(errors.map((error) => error.message).join("; "));
    const runId = await startPlannedRun(db, ctx, compiled);
    const stored = await db.forTenant(ctx).workflowRun.findUniqueOrThrow({ where: { id: runId }, include: { jobs: true } });
    const whole = readPlan(stored.plan);
    if (!whole) throw new Error("the stored plan is unreadable");
    // The matrix cells and the called workflow's cells are jobs of the run.
    expect(stored.jobs.length).toBeGreaterThanOrEqual(1 + 6 + 2);
    let cells = 0;
    let called = 0;
    for (const job of stored.jobs) {
      const slice = await readJobPlan(db, ctx.tenantId, job.id);
      const entry = whole.jobs.find((candidate) => candidate.key === job.key);
      if (!entry) continue; // a call's own row has no runnable entry of its own
      expect(slice?.planned, job.key).toEqual(entry);
      expect(slice?.plan.env).toEqual({ LEVEL: "workflow" });
      const siblings = matrixCells(whole, entry);
      expect(slice?.place, job.key).toEqual(siblings.length > 0 ? { jobIndex: siblings.findIndex((cell) => cell.key === job.key), jobTotal: siblings.length } : null);
      if (siblings.length > 0) cells++;
      // A called job carries its caller's entry, through which its secrets come.
      if (entry.calledBy !== undefined) {
        called++;
        expect(slice?.plan.jobs.map((candidate) => candidate.key)).toEqual([job.key, entry.calledBy]);
      } else expect(slice?.plan.jobs).toHaveLength(1);
    }
    expect(cells).toBe(8);
    expect(called).toBe(2);
  });

  it("is nothing for another tenant's job or a job that does not exist", async () => {
    const runId = await startPlannedRun(db, ctx, (await compileWorkflowWithCalls(WORKFLOW.replace(/\n {2}call:[\s\S]*$/, "\n"), ".gantry/workflows/ci.yml", {}, async () => undefined)).plan!);
    const job = await db.forTenant(ctx).jobRun.findFirstOrThrow({ where: { runId } });
    expect(await readJobPlan(db, ctx.tenantId, job.id)).toBeDefined();
    expect(await readJobPlan(db, "ten_other", job.id)).toBeUndefined();
    expect(await readJobPlan(db, ctx.tenantId, "no-such-job")).toBeUndefined();
  });
});
