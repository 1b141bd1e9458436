// A matrix from a need's outputs (`fromJSON(needs.prepare.outputs.matrix)`): compiled to one placeholder, expanded
// by the worker into its cells once `prepare` is done, with the dependents waiting for every cell.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Database, type TenantContext } from "@gantry/db";
import { engineTestbed, type EngineTestbed } from "../testbed";
import { compileWorkflow } from "@gantry/workflow-schema";
import { advanceRun } from "../../src/run/advance-run";
import { runJobAsRunner } from "../../src/testing";
import { startPlannedRun } from "./start-planned-run";

let bed: EngineTestbed;
let db: Database;
const ctx: TenantContext = { tenantId: "ten_matrix", actor: { kind: "SYSTEM" } };

beforeAll(async () => {
  bed = await engineTestbed();
  db = bed.db;
  await bed.addTenant("matrix", { id: ctx.tenantId, fullName: "matrix/app" });
});
afterAll(() => bed.close());

const WORKFLOW = `
on: push
jobs:
  prepare:
    runs-on: ubuntu-latest
    outputs:
      matrix: \${{ steps.r.outputs.matrix }}
    steps:
      - id: r
        run: echo "matrix=$M" >> "$GITHUB_OUTPUT"
  evalm:
    needs: prepare
    strategy:
      matrix: \${{ fromJSON(needs.prepare.outputs.matrix) }}
    runs-on: ubuntu-latest
    steps:
      - run: echo \${{ matrix.package }}
  after:
    needs: [evalm]
    runs-on: ubuntu-latest
    steps:
      - run: echo done
`;

async function startRun(): Promise<string> {
  const { plan, errors } = compileWorkflow(WORKFLOW, ".gantry/workflows/ci.yml");
  if (!plan) throw new Error(errors.map((error) => error.message).join("; "));
  return startPlannedRun(db, ctx, plan);
}

const finish = (runId: string, key: string, conclusion: "SUCCEEDED" | "FAILED", outputs?: Record<string, string>) => runJobAsRunner(db, ctx, runId, key, conclusion, outputs);

const jobsOf = async (runId: string) => db.forTenant(ctx).jobRun.findMany({ where: { runId }, orderBy: { key: "asc" } });
const statuses = async (runId: string) => Object.fromEntries((await jobsOf(runId)).map((job) => [job.key, job.status]));

describe("a matrix built from a need's outputs", () => {
  it("is expanded into its cells when the need is done; the dependents wait for every cell", async () => {
    const runId = await startRun();
    expect(await statuses(runId)).toEqual({ prepare: "WAITING", evalm: "QUEUED", after: "QUEUED" });
    await finish(runId, "prepare", "SUCCEEDED", { matrix: '{"package": ["a", "b"]}' });
    const advanced = await advanceRun(db, ctx, runId);
    expect(advanced.ready).toHaveLength(2);
    expect(await statuses(runId)).toEqual({ prepare: "SUCCEEDED", evalm: "SKIPPED", "evalm (a)": "WAITING", "evalm (b)": "WAITING", after: "QUEUED" });

    const jobs = await jobsOf(runId);
    const id = (key: string) => jobs.find((job) => job.key === key)?.id;
    expect(jobs.find((job) => job.key === "after")?.needs.sort()).toEqual([id("evalm (a)"), id("evalm (b)")].sort());
    expect(jobs.find((job) => job.key === "evalm (b)")).toMatchObject({ jobId: "evalm", matrix: { package: "b" }, needs: [id("prepare")] });
    const history = await db.system("test").stateTransition.findFirstOrThrow({ where: { entityId: id("evalm"), toStatus: "SKIPPED" } });
    expect(history.reason).toBe("expanded into 2 matrix cell(s)");
    // The stored plan has the cells (what a runner's claim reads), their steps with the matrix values in.
    const run = await db.forTenant(ctx).workflowRun.findUniqueOrThrow({ where: { id: runId } });
    const planned = (run.plan as { jobs: { key: string; matrix?: unknown; needs: string[] }[] }).jobs;
    expect(planned.map((job) => job.key)).toEqual(["prepare", "evalm (a)", "evalm (b)", "after"]);
    expect(planned.find((job) => job.key === "after")?.needs).toEqual(["evalm (a)", "evalm (b)"]);

    await finish(runId, "evalm (a)", "SUCCEEDED");
    await advanceRun(db, ctx, runId);
    expect((await statuses(runId)).after).toBe("QUEUED");
    await finish(runId, "evalm (b)", "SUCCEEDED");
    await advanceRun(db, ctx, runId);
    expect((await statuses(runId)).after).toBe("WAITING");
    await finish(runId, "after", "SUCCEEDED");
    expect((await advanceRun(db, ctx, runId)).finished).toBe("SUCCEEDED");
  });

  it("two workers advancing at once make one set of cells", async () => {
    const runId = await startRun();
    await finish(runId, "prepare", "SUCCEEDED", { matrix: '{"os": ["x", "y", "z"]}' });
    await Promise.all([advanceRun(db, ctx, runId), advanceRun(db, ctx, runId), advanceRun(db, ctx, runId)]);
    expect(Object.keys(await statuses(runId)).sort()).toEqual(["after", "evalm", "evalm (x)", "evalm (y)", "evalm (z)", "prepare"]);
  });

  it("an output that is not a matrix fails the job with the reason, and the run fails", async () => {
    const runId = await startRun();
    await finish(runId, "prepare", "SUCCEEDED", { matrix: "not json" });
    const advanced = await advanceRun(db, ctx, runId);
    expect(advanced.finished).toBe("FAILED");
    const evalm = (await jobsOf(runId)).find((job) => job.key === "evalm");
    expect(evalm?.status).toBe("FAILED");
    expect(evalm?.failureReason).toMatch(/^could not expand the matrix: /);
    expect((await statuses(runId)).after).toBe("SKIPPED");
  });
});
