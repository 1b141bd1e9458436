// The `actions` benchmark's timings: one warm runner agent on bwrap against the real runner routes, worker, Postgres
// and Redis (runner-harness.ts), with GitHub's released setup-node (../shared/actions, from GANTRY_ACTIONS_DIR) and a
// pre-populated tool cache. Per job, claim → the first line the action itself prints ("Found in cache …") is stored:
//   cold — the action resolved and downloaded for the first time: no ActionArchive row on the control plane, nothing
//          in the runner's archive cache (both emptied before each cold job);
//   warm — the same commit again: the control plane has its archive, the runner its bytes (checked by sha-256);
// and, for comparison, claim → a plain `run: echo first` step's line. firstLineVsRunMs = warm p50 − run p50: what a
// remote JavaScript action adds to a job's first line (resolve, unpack, Node's start).
import { existsSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import type { PlannedStep } from "../../packages/workflow-schema/src/index";
import { cachedNodeVersion, populatedToolCache, SHARED_ACTIONS } from "../../tests/platform/tool-cache-fixture";
import { oneStep, startHarness, stat, type Harness } from "./runner-harness";

const ACTION = "actions/setup-node@v4.4.0";
const ACTION_LINE = /Found in cache @/;
const RUN_LINE = /^first$/m;

const setupNode = (): PlannedStep[] => [{ index: 0, if: "success()", uses: ACTION, with: { "node-version": cachedNodeVersion }, env: {}, continueOnError: false }];

/** claim → the first stored chunk matching `line`, for one job. */
async function timeToLine(harness: Harness, steps: PlannedStep[], line: RegExp): Promise<number> {
  const times = { claim: Number.NaN, stored: Number.NaN };
  harness.events.onClaim = (at) => void (times.claim = at);
  harness.events.onChunkStored = (chunk) => {
    if (Number.isNaN(times.stored) && line.test(chunk.data)) times.stored = chunk.storedAt;
  };
  const { runId } = await harness.enqueue(steps);
  const { status, attemptId } = await harness.finished(runId, 120_000);
  if (status !== "SUCCEEDED") throw new Error(`a job ended ${status}:\n${await harness.archived(attemptId)}`);
  if (Number.isNaN(times.stored)) throw new Error(`no stored chunk matched ${line}:\n${await harness.archived(attemptId)}`);
  return times.stored - times.claim;
}

export interface ActionTimings {
  coldMs: number;
  warmMs: number;
  runMs: number;
  firstLineVsRunMs: number;
  detail: { cold: { p50: number; p99: number }; warm: { p50: number; p99: number }; run: { p50: number; p99: number }; coldRuns: number; warmRuns: number };
}

export async function measureActionTimings(runs: { cold: number; warm: number }): Promise<ActionTimings> {
  const state = mkdtempSync(path.join(os.tmpdir(), "gantry-bench-runner-"));
  const toolCache = populatedToolCache();
  const harness = await startHarness({ extraEnv: { GANTRY_ACTIONS_DIR: SHARED_ACTIONS }, runnerEnv: { GANTRY_STATE_DIR: state, GANTRY_TOOL_CACHE: toolCache } });
  const archives = path.join(state, "actions");
  try {
    // Warm-up (page cache, JIT, the sandbox's first start), not counted.
    await timeToLine(harness, oneStep("echo first"), RUN_LINE);
    const cold: number[] = [];
    for (let i = 0; i < runs.cold; i++) {
      await harness.db.system("bench: a cold resolution").actionArchive.deleteMany({});
      if (existsSync(archives)) for (const file of readdirSync(archives, { withFileTypes: true }).filter((entry) => entry.isFile())) rmSync(path.join(archives, file.name));
      cold.push(await timeToLine(harness, setupNode(), ACTION_LINE));
    }
    const warm: number[] = [];
    const run: number[] = [];
    for (let i = 0; i < runs.warm; i++) {
      warm.push(await timeToLine(harness, setupNode(), ACTION_LINE));
      run.push(await timeToLine(harness, oneStep("echo first"), RUN_LINE));
    }
    const detail = { cold: stat(cold), warm: stat(warm), run: stat(run), coldRuns: runs.cold, warmRuns: runs.warm };
    return { coldMs: detail.cold.p50, warmMs: detail.warm.p50, runMs: detail.run.p50, firstLineVsRunMs: Math.round((detail.warm.p50 - detail.run.p50) * 10) / 10, detail };
  } finally {
    await harness.close();
    rmSync(state, { recursive: true, force: true });
    rmSync(toolCache, { recursive: true, force: true });
  }
}
