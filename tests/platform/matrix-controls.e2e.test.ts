// Matrix controls and needs results end to end: workflows compiled as intake compiles them, created through intake,
// run by the real worker, runner routes and a runner agent in bwrap sandboxes. `max-parallel: 1` never lets two
// cells run at once (seen from the attempts' times), `fail-fast` cancels a sleeping sibling when a cell fails, and a
// step reads GitHub's words for its needs' results (success, failure, cancelled, skipped). The three runs go at
// once, on one platform with enough runner slots.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEMO } from "@gantry/db";
import { compileWorkflow } from "@gantry/workflow-schema";
import { readAttemptLog } from "../../apps/web/src/server/logs/read-attempt-log";
import { DirectoryObjectStore } from "@gantry/storage";
import { BwrapProvider } from "../../apps/runner/src/sandbox/bwrap-provider";
import { startAgent, type AgentHandle } from "../../apps/runner/src/index";
import { parseRunnerEnv } from "../../apps/runner/src/env";
import { demo, startControlPlane, until, type ControlPlane } from "./control-plane";

const MAX_PARALLEL = `
on: push
jobs:
  cell:
    strategy:
      max-parallel: 1
      matrix:
        n: [1, 2, 3]
    runs-on: ubuntu-latest
    steps:
      - run: sleep 1 && echo cell \${{ matrix.n }}
`;

const FAIL_FAST = `
on: push
jobs:
  m:
    strategy:
      matrix:
        mode: [fast, slow]
    runs-on: ubuntu-latest
    steps:
      - if: matrix.mode == 'fast'
        run: sleep 1 && exit 1
      - if: matrix.mode == 'slow'
        run: sleep 120
`;

// \`cancelled\` is cancelled by \`canceller\`, which joins its concurrency group with cancel-in-progress.
const NEEDS_RESULTS = `
on: push
jobs:
  ok:
    runs-on: ubuntu-latest
    steps:
      - run: "true"
  bad:
    runs-on: ubuntu-latest
    steps:
      - run: exit 1
  skipped:
    if: github.event_name == 'schedule'
    runs-on: ubuntu-latest
    steps:
      - run: "true"
  cancelled:
    concurrency:
      group: results-\${{ github.run_id }}
    runs-on: ubuntu-latest
    steps:
      - run: sleep 120
  canceller:
    concurrency:
      group: results-\${{ github.run_id }}
      cancel-in-progress: true
    runs-on: ubuntu-latest
    steps:
      - run: "true"
  report:
    needs: [ok, bad, skipped, cancelled]
    if: always()
    runs-on: ubuntu-latest
    outputs:
      results: \${{ steps.r.outputs.results }}
    steps:
      - id: r
        run: |
          echo "results=ok:\${{ needs.ok.result }} bad:\${{ needs.bad.result }} skipped:\${{ needs.skipped.result }} cancelled:\${{ needs.cancelled.result }}" >> "$GITHUB_OUTPUT"
          echo "bad was \${{ needs.bad.result }}"
`;

let cp: ControlPlane;
let agent: AgentHandle | undefined;
const lines: string[] = [];

const bwrap = await new BwrapProvider().probe();
if (!bwrap.available) console.warn(`matrix-controls: skipping: ${bwrap.detail}`);

beforeAll(async () => {
  if (!bwrap.available) return;
  cp = await startControlPlane({ env: { GANTRY_LEASE_MS: "10000", GANTRY_HEARTBEAT_MS: "300" } });
  await cp.db.system("test").runnerPool.update({ where: { id: DEMO.poolId }, data: { provider: "BWRAP" } });
  agent = startAgent(parseRunnerEnv({ GANTRY_URL: cp.url, GANTRY_RUNNER_TOKEN: cp.registrationToken, GANTRY_RUNNER_NAME: "matrix", GANTRY_RUNNER_CAPACITY: "6" }), { log: (line) => lines.push(line) });
});
afterAll(async () => {
  agent?.stop();
  await agent?.done.catch(() => undefined);
  await cp?.close();
});

async function start(source: string): Promise<string> {
  const { plan, errors } = compileWorkflow(source, ".gantry/workflows/ci.yml");
  if (!plan) throw new Error(JSON.stringify(errors));
  return cp.startRun(plan);
}

/** The run's end, once every attempt it made has ended too (a cancelled sandbox is stopped, not abandoned). */
async function concluded(runId: string): Promise<string> {
  return until(
    `the run to conclude\n${lines.join("\n")}`,
    async () => {
      const run = await cp.db.system("test").workflowRun.findUniqueOrThrow({ where: { id: runId }, include: { jobs: { include: { attempts: true } } } });
      const attemptsEnded = run.jobs.every((job) => job.attempts.every((attempt) => attempt.finishedAt !== null));
      return ["SUCCEEDED", "FAILED", "CANCELED"].includes(run.status) && attemptsEnded ? run.status : undefined;
    },
    90_000,
  );
}

const jobsOf = (runId: string) => cp.db.system("test").jobRun.findMany({ where: { runId }, orderBy: { key: "asc" }, include: { attempts: true } });

async function jobLog(runId: string, key: string): Promise<string> {
  const job = await cp.db.system("test").jobRun.findFirstOrThrow({ where: { runId, key }, include: { attempts: true } });
  const log = await readAttemptLog(cp.db.forTenant(demo), new DirectoryObjectStore(cp.storage), job.attempts[0]?.id ?? "");
  return log.chunks.map((chunk) => chunk.text).join("");
}

describe.skipIf(!bwrap.available)("matrix controls and needs results through the runner", () => {
  it("max-parallel, fail-fast and GitHub's needs results, three runs at once", async () => {
    const [capped, failFast, results] = await Promise.all([start(MAX_PARALLEL), start(FAIL_FAST), start(NEEDS_RESULTS)]);
    const [cappedStatus, failFastStatus, resultsStatus] = await Promise.all([concluded(capped), concluded(failFast), concluded(results)]);

    // max-parallel: 1 — every cell ran, one after the other: each attempt starts after the previous one ended.
    expect(cappedStatus, lines.join("\n")).toBe("SUCCEEDED");
    const windows = (await jobsOf(capped))
      .flatMap((job) => job.attempts.map((attempt) => ({ key: job.key, start: attempt.startedAt ?? attempt.createdAt, end: attempt.finishedAt })))
      .sort((a, b) => a.start.getTime() - b.start.getTime());
    expect(windows.map((window) => window.key)).toEqual(["cell (1)", "cell (2)", "cell (3)"]);
    for (let i = 1; i < windows.length; i++) {
      const previous = windows[i - 1];
      expect(previous?.end, `${previous?.key} ended`).not.toBeNull();
      expect(windows[i]?.start.getTime(), `${windows[i]?.key} started before ${previous?.key} ended`).toBeGreaterThanOrEqual(previous?.end?.getTime() ?? Infinity);
    }

    // fail-fast: the failed cell cancels its sleeping sibling, whose sandbox is stopped; the run fails.
    expect(failFastStatus).toBe("FAILED");
    const cells = await jobsOf(failFast);
    expect(cells.map((job) => [job.key, job.status])).toEqual([
      ["m (fast)", "FAILED"],
      ["m (slow)", "CANCELED"],
    ]);
    const slow = cells.find((job) => job.key === "m (slow)");
    const cancelledWhy = await cp.db.system("test").stateTransition.findFirst({ where: { entityId: slow?.id ?? "", toStatus: "CANCELED" } });
    expect(cancelledWhy?.reason).toBe("cancelled by fail-fast: m (fast) failed");
    // If it had started (the fast cell sleeps 1 s first, so it normally has), its sandbox was stopped at a heartbeat,
    // long before its 120 s sleep could end.
    for (const attempt of slow?.attempts ?? []) {
      expect(attempt.status).toBe("CANCELED");
      expect((attempt.finishedAt?.getTime() ?? Infinity) - (attempt.startedAt ?? attempt.createdAt).getTime()).toBeLessThan(30_000);
    }

    // needs.<id>.result as a step reads it at run time, in GitHub's words.
    expect(resultsStatus).toBe("FAILED");
    const jobs = await jobsOf(results);
    expect(Object.fromEntries(jobs.map((job) => [job.key, job.status]))).toEqual({
      ok: "SUCCEEDED",
      bad: "FAILED",
      skipped: "SKIPPED",
      cancelled: "CANCELED",
      canceller: "SUCCEEDED",
      report: "SUCCEEDED",
    });
    expect(jobs.find((job) => job.key === "report")?.outputs).toEqual({ results: "ok:success bad:failure skipped:skipped cancelled:cancelled" });
    expect(await jobLog(results, "report")).toContain("bad was failure");
  }, 120_000);
});
