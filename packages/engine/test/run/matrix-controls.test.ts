// strategy.max-parallel, strategy.fail-fast and a job's continue-on-error, on compiled workflows against real
// Postgres: what the DAG pass lets through, cancels and concludes.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { transitions, type Database, type TenantContext } from "@gantry/db";
import { engineTestbed, type EngineTestbed } from "../testbed";
import { compileWorkflow, compileWorkflowWithCalls } from "@gantry/workflow-schema";
import { advanceRun } from "../../src/run/advance-run";
import { runJobAsRunner } from "../../src/testing";
import { startPlannedRun } from "./start-planned-run";

let bed: EngineTestbed;
let db: Database;
const ctx: TenantContext = { tenantId: "ten_matrix_controls", actor: { kind: "SYSTEM" } };

beforeAll(async () => {
  bed = await engineTestbed();
  db = bed.db;
  await bed.addTenant("matrix-controls", { id: ctx.tenantId, fullName: "matrix/controls" });
});
afterAll(() => bed.close());

/** A workflow of one matrix job `test` over n = 1..cells with the given strategy and job keys, and `after` needing it. */
function workflow(cells: number, strategy: string, job = ""): string {
  return `
on: push
jobs:
  test:
    strategy:
${strategy
  .split("\n")
  .filter(Boolean)
  .map((line) => `      ${line}`)
  .join("\n")}
      matrix:
        n: [${Array.from({ length: cells }, (_, i) => i + 1).join(", ")}]
${job
  .split("\n")
  .filter(Boolean)
  .map((line) => `    ${line}`)
  .join("\n")}
    runs-on: ubuntu-latest
    steps:
      - run: echo \${{ matrix.n }}
  after:
    needs: test
    if: always()
    runs-on: ubuntu-latest
    steps:
      - run: echo \${{ needs.test.result }}
`;
}

async function start(yaml: string): Promise<string> {
  const { plan, errors } = compileWorkflow(yaml, ".gantry/workflows/ci.yml");
  if (!plan) throw new Error(errors.map((error) => error.message).join("; "));
  return startPlannedRun(db, ctx, plan);
}

const jobsOf = (runId: string) => db.forTenant(ctx).jobRun.findMany({ where: { runId }, orderBy: { key: "asc" } });
const statuses = async (runId: string) => Object.fromEntries((await jobsOf(runId)).map((job) => [job.key, job.status]));
const runStatus = async (runId: string) => (await db.forTenant(ctx).workflowRun.findUniqueOrThrow({ where: { id: runId } })).status;
const active = async (runId: string) => (await jobsOf(runId)).filter((job) => job.key.startsWith("test (") && (job.status === "WAITING" || job.status === "RUNNING")).map((job) => job.key);

/** Assigns a WAITING job as a runner's claim would, leaving it RUNNING. */
async function take(runId: string, key: string): Promise<void> {
  const sys = db.system("test");
  const job = await sys.jobRun.findFirstOrThrow({ where: { runId, key } });
  if (!(await transitions.assignJob(sys, ctx, { jobId: job.id, expectedAttempt: job.attempt, leaseMs: 30_000 }))) throw new Error(`${key} is ${job.status}`);
}

/** Ends a RUNNING job (the attempt the runner holds), then advances the run as the complete route does. */
async function end(runId: string, key: string, conclusion: "SUCCEEDED" | "FAILED" | "TIMED_OUT") {
  const sys = db.system("test");
  const job = await sys.jobRun.findFirstOrThrow({ where: { runId, key } });
  await transitions.finishJob(sys, ctx, job.id, job.attempt, conclusion);
  return advanceRun(db, ctx, runId);
}

const reasons = async (jobId: string) =>
  (await db.system("test").stateTransition.findMany({ where: { entityId: jobId }, orderBy: { createdAt: "asc" } })).map((row) => `${row.toStatus}: ${row.reason ?? ""}`);

describe("max-parallel", () => {
  it("lets at most max-parallel cells hold a runner, the next in expansion order as each ends", async () => {
    const run = await start(workflow(4, "max-parallel: 2\nfail-fast: false"));
    expect(await statuses(run)).toMatchObject({ "test (1)": "WAITING", "test (2)": "WAITING", "test (3)": "QUEUED", "test (4)": "QUEUED" });
    // An advance with nothing ended lets nothing more through.
    expect((await advanceRun(db, ctx, run)).ready).toEqual([]);
    await take(run, "test (1)");
    await take(run, "test (2)");
    await end(run, "test (2)", "SUCCEEDED");
    expect(await active(run)).toEqual(["test (1)", "test (3)"]);
    await end(run, "test (1)", "FAILED");
    expect(await active(run)).toEqual(["test (3)", "test (4)"]);
    const third = (await jobsOf(run)).find((job) => job.key === "test (3)");
    expect(await reasons(third?.id ?? "")).toContain("WAITING: needs met (max-parallel 2: 2 of the matrix's cells active)");
    await runJobAsRunner(db, ctx, run, "test (3)", "SUCCEEDED");
    await runJobAsRunner(db, ctx, run, "test (4)", "SUCCEEDED");
    await advanceRun(db, ctx, run);
    await runJobAsRunner(db, ctx, run, "after", "SUCCEEDED");
    expect((await advanceRun(db, ctx, run)).finished).toBe("FAILED");
  });

  it("two advancers racing let only max-parallel cells through", async () => {
    const { plan } = compileWorkflow(workflow(5, "max-parallel: 1"), ".gantry/workflows/ci.yml");
    if (!plan) throw new Error("no plan");
    const { intake } = await import("@gantry/db");
    const created = await intake.createRun(db.system("test"), ctx, {
      repositoryId: "repo", idempotencyKey: "race", workflowPath: plan.file, workflowName: plan.name, event: "push", ref: "refs/heads/main", sha: "f".repeat(40), trusted: true, plan,
    });
    const results = await Promise.all([1, 2, 3, 4].map(() => advanceRun(db, ctx, created.runId)));
    expect(results.flatMap((result) => result.ready)).toHaveLength(1);
    expect(await active(created.runId)).toEqual(["test (1)"]);
    await take(created.runId, "test (1)");
    const sys = db.system("test");
    const first = await sys.jobRun.findFirstOrThrow({ where: { runId: created.runId, key: "test (1)" } });
    await transitions.finishJob(sys, ctx, first.id, first.attempt, "SUCCEEDED");
    const again = await Promise.all([1, 2, 3].map(() => advanceRun(db, ctx, created.runId)));
    expect(again.flatMap((result) => result.ready)).toHaveLength(1);
    expect(await active(created.runId)).toEqual(["test (2)"]);
  });
});

describe("max-parallel on calls and dynamic matrices", () => {
  it("caps a matrix of reusable workflow calls: a call holds its place until its jobs have ended", async () => {
    const lib = `on:
  workflow_call:
    inputs:
      n: {type: number, required: true}
jobs:
  one:
    runs-on: ubuntu-latest
    steps: [{run: echo}]
`;
    const { plan, errors } = await compileWorkflowWithCalls(
      `on: push
jobs:
  call:
    strategy:
      max-parallel: 1
      matrix:
        n: [1, 2]
    uses: ./lib/one.yml
    with:
      n: \${{ matrix.n }}
`,
      ".gantry/workflows/ci.yml",
      {},
      async (path) => (path === "lib/one.yml" ? lib : undefined),
    );
    if (!plan) throw new Error(errors.map((error) => error.message).join("; "));
    const run = await startPlannedRun(db, ctx, plan);
    await Promise.all([advanceRun(db, ctx, run), advanceRun(db, ctx, run)]);
    expect(await statuses(run)).toEqual({ "call (1)": "RUNNING", "call (1) / one": "WAITING", "call (2)": "QUEUED" });
    await runJobAsRunner(db, ctx, run, "call (1) / one", "SUCCEEDED");
    await advanceRun(db, ctx, run);
    expect(await statuses(run)).toMatchObject({ "call (1)": "SUCCEEDED", "call (2)": "RUNNING", "call (2) / one": "WAITING" });
  });

  it("caps and fails fast a matrix built at run time", async () => {
    const run = await start(`
on: push
jobs:
  prepare:
    runs-on: ubuntu-latest
    outputs:
      matrix: \${{ steps.m.outputs.matrix }}
    steps:
      - id: m
        run: echo "matrix=$M" >> "$GITHUB_OUTPUT"
  test:
    needs: prepare
    strategy:
      max-parallel: 2
      matrix: \${{ fromJSON(needs.prepare.outputs.matrix) }}
    runs-on: ubuntu-latest
    steps:
      - run: echo \${{ matrix.n }}
`);
    await runJobAsRunner(db, ctx, run, "prepare", "SUCCEEDED", { matrix: '{"n":[1,2,3]}' });
    await advanceRun(db, ctx, run);
    expect(await active(run)).toEqual(["test (1)", "test (2)"]);
    await take(run, "test (1)");
    await end(run, "test (1)", "FAILED");
    expect(await statuses(run)).toMatchObject({ "test (1)": "FAILED", "test (2)": "CANCELED", "test (3)": "CANCELED" });
    expect(await runStatus(run)).toBe("FAILED");
  });
});

describe("fail-fast", () => {
  it("a failed cell cancels its running, waiting and queued siblings; the run fails", async () => {
    const run = await start(workflow(4, "max-parallel: 3"));
    await take(run, "test (1)");
    await take(run, "test (2)");
    const result = await end(run, "test (1)", "FAILED");
    expect(result.cancelled).toHaveLength(3);
    expect(await statuses(run)).toMatchObject({ "test (1)": "FAILED", "test (2)": "CANCELED", "test (3)": "CANCELED", "test (4)": "CANCELED", after: "WAITING" });
    const running = (await jobsOf(run)).find((job) => job.key === "test (2)");
    expect(await reasons(running?.id ?? "")).toContain("CANCELED: cancelled by fail-fast: test (1) failed");
    // The cancelled cell's runner reports late: nothing changes.
    expect((await transitions.finishJob(db.system("test"), ctx, running?.id ?? "", running?.attempt ?? 0, "SUCCEEDED")).changed).toBe(false);
    await runJobAsRunner(db, ctx, run, "after", "SUCCEEDED");
    expect((await advanceRun(db, ctx, run)).finished).toBe("FAILED");
    expect(await runStatus(run)).toBe("FAILED");
  });

  it("a timed-out cell counts as failed", async () => {
    const run = await start(workflow(2, ""));
    await take(run, "test (1)");
    await end(run, "test (1)", "TIMED_OUT");
    expect((await statuses(run))["test (2)"]).toBe("CANCELED");
  });

  it("fail-fast: false (also as an expression) leaves the siblings running", async () => {
    for (const failFast of ["false", "${{ github.event_name != 'push' }}"]) {
      const run = await start(workflow(2, `fail-fast: ${failFast}`));
      await take(run, "test (1)");
      const result = await end(run, "test (1)", "FAILED");
      expect(result.cancelled).toEqual([]);
      expect((await statuses(run))["test (2)"]).toBe("WAITING");
    }
  });
});

describe("continue-on-error", () => {
  it("from a matrix value: the cell's failure neither cancels its siblings nor fails the run", async () => {
    const yaml = workflow(2, "", "continue-on-error: ${{ matrix.n == 2 }}");
    const run = await start(yaml);
    await take(run, "test (2)");
    const result = await end(run, "test (2)", "FAILED");
    expect(result.cancelled).toEqual([]);
    expect((await statuses(run))["test (1)"]).toBe("WAITING");
    await runJobAsRunner(db, ctx, run, "test (1)", "SUCCEEDED");
    await advanceRun(db, ctx, run);
    await runJobAsRunner(db, ctx, run, "after", "SUCCEEDED");
    expect((await advanceRun(db, ctx, run)).finished).toBe("SUCCEEDED");
  });

  it("an expression of other contexts is evaluated when the job is ready and stored", async () => {
    const run = await start(`
on: push
jobs:
  flaky:
    continue-on-error: \${{ github.event_name == 'push' }}
    runs-on: ubuntu-latest
    steps:
      - run: exit 1
  strict:
    continue-on-error: \${{ github.event_name != 'push' }}
    runs-on: ubuntu-latest
    steps:
      - run: exit 0
`);
    expect(Object.fromEntries((await jobsOf(run)).map((job) => [job.key, job.continueOnError]))).toEqual({ flaky: true, strict: false });
    await runJobAsRunner(db, ctx, run, "flaky", "FAILED");
    await runJobAsRunner(db, ctx, run, "strict", "SUCCEEDED");
    expect((await advanceRun(db, ctx, run)).finished).toBe("SUCCEEDED");
  });

  it("an expression that cannot be evaluated fails the job before it starts, saying so", async () => {
    const run = await start(`
on: push
jobs:
  odd:
    continue-on-error: \${{ fromJSON(github.event_name) }}
    runs-on: ubuntu-latest
    steps:
      - run: exit 0
`);
    const [job] = await jobsOf(run);
    expect(job?.status).toBe("FAILED");
    expect(job?.failureReason).toMatch(/^could not evaluate continue-on-error/);
  });
});
