// Calls of local reusable workflows in the worker, with simulated runners: a call starts when its needs are done
// (its inputs evaluated from them), adds its called jobs once however many workers race, keeps what other
// expansions of the same pass added to the plan, ends with its outputs when its jobs have — and a call whose
// jobs ended while no worker was looking is ended by the reconciler, from Postgres alone.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { transitions, type Database, type TenantContext } from "@gantry/db";
import type { FairScheduler } from "@gantry/scheduler";
import { engineTestbed, type EngineTestbed } from "../testbed";
import { compileWorkflowWithCalls, isWorkflowPlan } from "@gantry/workflow-schema";
import { advanceRun } from "../../src/run/advance-run";
import { rerun } from "../../src/run/rerun";
import { startRun as startAgain } from "../../src/run/start-run";
import { runJobAsRunner } from "../../src/testing";
import { startPlannedRun } from "./start-planned-run";
import { reconcileQueues } from "../../src/lifecycle/reconcile-queues";
import { makeReadyHandler } from "../../src/lifecycle/ready-handler";

let bed: EngineTestbed;
let db: Database;
let scheduler: FairScheduler;
const ctx: TenantContext = { tenantId: "ten_calls", actor: { kind: "SYSTEM" } };

beforeAll(async () => {
  bed = await engineTestbed({ poolSize: 8 });
  ({ db, scheduler } = bed);
  await bed.addTenant("calls", { id: ctx.tenantId });
  await bed.addPool("pool-calls", { tenantId: ctx.tenantId });
});
afterAll(() => bed.close());

const LIB = `on:
  workflow_call:
    inputs:
      target: {type: string, required: true}
      replicas: {type: number, required: false, default: 1}
      runner: {type: string, required: false, default: ubuntu-latest}
    outputs:
      url:
        value: \${{ jobs.deploy.outputs.url }}
jobs:
  build:
    runs-on: ubuntu-latest
    steps: [{run: make}]
  deploy:
    needs: build
    runs-on: \${{ inputs.runner }}
    outputs:
      url: \${{ steps.d.outputs.url }}
    steps:
      - id: d
        run: echo "url=https://\${{ inputs.target }}" >> "$GITHUB_OUTPUT"
`;

const WORKFLOW = `on: push
jobs:
  prepare:
    runs-on: ubuntu-latest
    outputs:
      target: \${{ steps.t.outputs.target }}
      matrix: \${{ steps.t.outputs.matrix }}
    steps:
      - id: t
        run: echo target=staging >> "$GITHUB_OUTPUT"
  staging:
    needs: prepare
    uses: ./lib/deploy.yml
    with:
      target: \${{ needs.prepare.outputs.target }}.example
      replicas: 2
  canary:
    needs: prepare
    uses: ./lib/deploy.yml
    with:
      target: canary.example
  shards:
    needs: prepare
    strategy:
      matrix: \${{ fromJSON(needs.prepare.outputs.matrix) }}
    runs-on: ubuntu-latest
    steps:
      - run: echo \${{ matrix.n }}
  announce:
    needs: [staging, canary]
    runs-on: ubuntu-latest
    steps:
      - run: echo \${{ needs.staging.outputs.url }}
`;

async function startRun(source = WORKFLOW, files: Record<string, string> = { "lib/deploy.yml": LIB }): Promise<string> {
  const { plan, errors } = await compileWorkflowWithCalls(source, ".gantry/workflows/ci.yml", {}, async (path) => files[path]);
  if (!plan) throw new Error(errors.map((error) => error.message).join("; "));
  return startPlannedRun(db, ctx, plan);
}

const finish = (runId: string, key: string, conclusion: "SUCCEEDED" | "FAILED", outputs?: Record<string, string>) => runJobAsRunner(db, ctx, runId, key, conclusion, outputs);

const jobsOf = async (runId: string) => db.forTenant(ctx).jobRun.findMany({ where: { runId }, orderBy: { key: "asc" } });
const statuses = async (runId: string) => Object.fromEntries((await jobsOf(runId)).map((job) => [job.key, job.status]));

describe("calls of local reusable workflows", () => {
  it("start when their needs are done, with their inputs, next to a dynamic matrix expanded in the same pass", async () => {
    const runId = await startRun();
    expect(await statuses(runId)).toEqual({ prepare: "WAITING", staging: "QUEUED", canary: "QUEUED", shards: "QUEUED", announce: "QUEUED" });
    await finish(runId, "prepare", "SUCCEEDED", { target: "staging", matrix: '{"n":[1,2]}' });
    // Two workers advance at once: each call adds its jobs once.
    await Promise.all([advanceRun(db, ctx, runId), advanceRun(db, ctx, runId)]);
    expect(await statuses(runId)).toEqual({
      prepare: "SUCCEEDED",
      staging: "RUNNING",
      "staging / build": "WAITING",
      "staging / deploy": "QUEUED",
      canary: "RUNNING",
      "canary / build": "WAITING",
      "canary / deploy": "QUEUED",
      shards: "SKIPPED",
      "shards (1)": "WAITING",
      "shards (2)": "WAITING",
      announce: "QUEUED",
    });
    const jobs = await jobsOf(runId);
    const staging = jobs.find((job) => job.key === "staging");
    expect(jobs.filter((job) => job.callerId === staging?.id).map((job) => [job.key, job.inputs])).toEqual([
      ["staging / build", { target: "staging.example", replicas: 2, runner: "ubuntu-latest" }],
      ["staging / deploy", { target: "staging.example", replicas: 2, runner: "ubuntu-latest" }],
    ]);
    expect(jobs.find((job) => job.key === "canary / deploy")?.inputs).toEqual({ target: "canary.example", replicas: 1, runner: "ubuntu-latest" });
    // Every job row has its planned job: neither expansion of the pass undid the others'.
    const run = await db.forTenant(ctx).workflowRun.findUniqueOrThrow({ where: { id: runId } });
    if (!isWorkflowPlan(run.plan)) throw new Error("the stored plan is not a plan");
    const planned = new Set(run.plan.jobs.map((job) => job.key));
    // (The matrix's placeholder row stays, SKIPPED; the plan has its cells instead.)
    expect(jobs.filter((job) => !planned.has(job.key)).map((job) => job.key)).toEqual(["shards"]);
    expect(run.plan.jobs.find((job) => job.key === "staging / deploy")).toMatchObject({ calledBy: "staging", needs: ["staging / build"] });
  });

  it("end with their outputs when their jobs have; the reconciler ends one whose jobs ended unobserved", async () => {
    const runId = await startRun();
    await finish(runId, "prepare", "SUCCEEDED", { target: "staging", matrix: '{"n":[1]}' });
    await advanceRun(db, ctx, runId);
    for (const key of ["staging / build", "canary / build", "shards (1)"]) await finish(runId, key, "SUCCEEDED");
    await advanceRun(db, ctx, runId);
    // `runs-on: ${{ inputs.runner }}` was evaluated when the job's needs were met: its pool is chosen by the value.
    expect((await jobsOf(runId)).find((job) => job.key === "staging / deploy")).toMatchObject({ status: "WAITING", poolLabels: ["ubuntu-latest"] });
    await finish(runId, "staging / deploy", "SUCCEEDED", { url: "https://staging.example" });
    await advanceRun(db, ctx, runId);
    expect((await jobsOf(runId)).find((job) => job.key === "staging")).toMatchObject({ status: "SUCCEEDED", outputs: { url: "https://staging.example" }, attempt: 0 });
    expect((await statuses(runId)).announce).toBe("QUEUED");

    // The last called job ends and no worker advances the run (it crashed, Redis lost the advance job).
    await finish(runId, "canary / deploy", "SUCCEEDED", { url: "https://canary.example" });
    expect((await statuses(runId)).canary).toBe("RUNNING");
    await reconcileQueues(db, scheduler, makeReadyHandler(db, scheduler));
    expect(await statuses(runId)).toMatchObject({ canary: "SUCCEEDED", announce: "WAITING" });
    await finish(runId, "announce", "SUCCEEDED");
    await advanceRun(db, ctx, runId);
    expect((await db.forTenant(ctx).workflowRun.findUniqueOrThrow({ where: { id: runId } })).status).toBe("SUCCEEDED");
  });

  it("jobs a call added while its run was being cancelled are cancelled by the reconciler", async () => {
    const runId = await startRun();
    await finish(runId, "prepare", "SUCCEEDED", { target: "staging", matrix: '{"n":[1]}' });
    await advanceRun(db, ctx, runId);
    // A cancel that listed the run's live jobs before the calls added theirs: it ends what it listed, and the run.
    const sys = db.system("test: a cancel that raced the calls");
    for (const key of ["staging", "canary", "shards (1)", "announce"]) {
      const job = await sys.jobRun.findFirstOrThrow({ where: { runId, key } });
      await transitions.cancelJob(sys, ctx, job.id, "cancelled");
    }
    await transitions.finishRun(sys, ctx, runId, "CANCELED", "cancelled");
    expect(await statuses(runId)).toMatchObject({ "staging / build": "WAITING", "canary / deploy": "QUEUED" });
    await reconcileQueues(db, scheduler, makeReadyHandler(db, scheduler));
    const live = Object.entries(await statuses(runId)).filter(([, status]) => ["QUEUED", "WAITING", "RUNNING"].includes(status));
    expect(live).toEqual([]);
    expect((await jobsOf(runId)).find((job) => job.key === "staging / build")?.status).toBe("CANCELED");
  });

  it("a called job with a matrix from the call's inputs: its cells stay the call's, with its inputs, and the call waits for them", async () => {
    const lib = "on:\n  workflow_call:\n    inputs:\n      shards: {type: string, required: true}\njobs:\n  fan:\n    runs-on: ubuntu-latest\n    strategy:\n      matrix:\n        n: ${{ fromJSON(inputs.shards) }}\n    steps:\n      - run: echo ${{ matrix.n }}\n";
    const runId = await startRun('on: push\njobs:\n  call:\n    uses: ./lib/fan.yml\n    with:\n      shards: "[1, 2]"\n', { "lib/fan.yml": lib });
    await advanceRun(db, ctx, runId);
    const jobs = await jobsOf(runId);
    const call = jobs.find((job) => job.key === "call");
    expect(jobs.map((job) => [job.key, job.status, job.callerId === call?.id, job.inputs])).toEqual([
      ["call", "RUNNING", false, null],
      ["call / fan", "SKIPPED", true, { shards: "[1, 2]" }],
      ["call / fan (1)", "WAITING", true, { shards: "[1, 2]" }],
      ["call / fan (2)", "WAITING", true, { shards: "[1, 2]" }],
    ]);
    await finish(runId, "call / fan (1)", "SUCCEEDED");
    await advanceRun(db, ctx, runId);
    expect((await statuses(runId)).call).toBe("RUNNING");
    await finish(runId, "call / fan (2)", "SUCCEEDED");
    await advanceRun(db, ctx, runId);
    expect(await statuses(runId)).toMatchObject({ call: "SUCCEEDED" });
    expect((await db.forTenant(ctx).workflowRun.findUniqueOrThrow({ where: { id: runId } })).status).toBe("SUCCEEDED");
  });

  it("a called job that fails fails the call and its dependents are skipped", async () => {
    const runId = await startRun();
    await finish(runId, "prepare", "SUCCEEDED", { target: "staging", matrix: '{"n":[1]}' });
    await advanceRun(db, ctx, runId);
    await finish(runId, "staging / build", "FAILED");
    await advanceRun(db, ctx, runId);
    expect(await statuses(runId)).toMatchObject({ staging: "FAILED", "staging / build": "FAILED", "staging / deploy": "SKIPPED", announce: "QUEUED" });
    expect((await jobsOf(runId)).find((job) => job.key === "staging")?.failureReason).toBe("a called job failed");
    await finish(runId, "canary / build", "SUCCEEDED");
    await finish(runId, "shards (1)", "SUCCEEDED");
    await advanceRun(db, ctx, runId);
    await finish(runId, "canary / deploy", "SUCCEEDED");
    await advanceRun(db, ctx, runId);
    expect(await statuses(runId)).toMatchObject({ canary: "SUCCEEDED", announce: "SKIPPED" });
    expect((await db.forTenant(ctx).workflowRun.findUniqueOrThrow({ where: { id: runId } })).status).toBe("FAILED");
  });

  it("a runs-on that evaluates to a label no pool serves fails that job with the label named", async () => {
    const runId = await startRun(WORKFLOW.replace("      target: canary.example", "      target: canary.example\n      runner: gpu-xl"));
    await finish(runId, "prepare", "SUCCEEDED", { target: "staging", matrix: '{"n":[1]}' });
    await advanceRun(db, ctx, runId);
    await finish(runId, "canary / build", "SUCCEEDED");
    await advanceRun(db, ctx, runId);
    await makeReadyHandler(db, scheduler)(ctx, [(await jobsOf(runId)).find((job) => job.key === "canary / deploy")?.id ?? ""]);
    expect((await jobsOf(runId)).find((job) => job.key === "canary / deploy")).toMatchObject({ status: "FAILED", poolLabels: ["gpu-xl"], failureReason: "no runner pool serves runs-on [gpu-xl]" });
  });

  it("an input its value does not fit fails the call before it adds any job, saying which input", async () => {
    const runId = await startRun(WORKFLOW.replace("      replicas: 2", "      replicas: ${{ needs.prepare.outputs.target }}"));
    await finish(runId, "prepare", "SUCCEEDED", { target: "staging", matrix: '{"n":[1]}' });
    await advanceRun(db, ctx, runId);
    const staging = (await jobsOf(runId)).find((job) => job.key === "staging");
    expect(staging).toMatchObject({ status: "FAILED", failureReason: 'could not call ./lib/deploy.yml: input "replicas" is typed as number by the called workflow, but its value is string "staging"' });
    expect((await jobsOf(runId)).filter((job) => job.callerId === staging?.id)).toEqual([]);
  });

  it("a re-run of a failed called job re-runs it and what depends on it; its call waits again and ends with the new result", async () => {
    const runId = await startRun();
    await finish(runId, "prepare", "SUCCEEDED", { target: "staging", matrix: '{"n":[1]}' });
    await advanceRun(db, ctx, runId);
    for (const key of ["staging / build", "canary / build", "shards (1)"]) await finish(runId, key, "SUCCEEDED");
    await advanceRun(db, ctx, runId);
    await finish(runId, "staging / deploy", "FAILED");
    await finish(runId, "canary / deploy", "SUCCEEDED", { url: "https://canary.example" });
    await advanceRun(db, ctx, runId);
    expect((await db.forTenant(ctx).workflowRun.findUniqueOrThrow({ where: { id: runId } })).status).toBe("FAILED");
    expect(await statuses(runId)).toMatchObject({ staging: "FAILED", "staging / deploy": "FAILED", announce: "SKIPPED", canary: "SUCCEEDED" });

    const result = await rerun(db, ctx, runId, { mode: "failed", actor: "test" });
    expect(result).toMatchObject({ rerun: true, runAttempt: 2 });
    await startAgain(db, ctx, runId);
    // Only the failed called job (its need staging / build kept), its call (waiting again) and the call's dependent.
    expect(await statuses(runId)).toEqual({
      prepare: "SUCCEEDED",
      staging: "RUNNING",
      "staging / build": "SUCCEEDED",
      "staging / deploy": "WAITING",
      canary: "SUCCEEDED",
      "canary / build": "SUCCEEDED",
      "canary / deploy": "SUCCEEDED",
      shards: "SKIPPED",
      "shards (1)": "SUCCEEDED",
      announce: "QUEUED",
    });
    await finish(runId, "staging / deploy", "SUCCEEDED", { url: "https://staging.example" });
    await advanceRun(db, ctx, runId);
    const staging = (await jobsOf(runId)).find((job) => job.key === "staging");
    expect(staging).toMatchObject({ status: "SUCCEEDED", outputs: { url: "https://staging.example" }, runAttempt: 2 });
    await finish(runId, "announce", "SUCCEEDED");
    await advanceRun(db, ctx, runId);
    expect((await db.forTenant(ctx).workflowRun.findUniqueOrThrow({ where: { id: runId } })).status).toBe("SUCCEEDED");
  });
});
