// Failure causes through the assembled product (issue #15): two real runner agents in the demo pool, the real
// worker and the web's runner routes. Runner "broken" is misconfigured the way an operator can get it wrong — its
// tool cache (GANTRY_TOOL_CACHE) is a path under a regular file — so its sandboxes cannot start; runner "healthy"
// is fine. The job's first attempt fails on "broken" with cause infrastructure, the job waits out its backoff and
// its second attempt runs on "healthy" and succeeds; the run page's query shows both attempts with their causes.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startAgent, type AgentHandle } from "../../apps/runner/src/index";
import { parseRunnerEnv } from "../../apps/runner/src/env";
import { startControlPlane, until, type ControlPlane } from "./control-plane";

let cp: ControlPlane;
const agents: AgentHandle[] = [];
const dir = mkdtempSync(path.join(os.tmpdir(), "gantry-causes-"));

beforeAll(async () => {
  cp = await startControlPlane();
});
afterAll(async () => {
  for (const agent of agents) agent.stop();
  await Promise.all(agents.map((agent) => agent.done.catch(() => undefined)));
  await cp?.close();
  rmSync(dir, { recursive: true, force: true });
});

function runner(name: string, toolCache: string, lines: string[]) {
  const env = parseRunnerEnv({
    GANTRY_URL: cp.url,
    GANTRY_RUNNER_TOKEN: cp.registrationToken,
    GANTRY_RUNNER_NAME: name,
    GANTRY_RUNNER_DEV_MODE: "1",
    GANTRY_STATE_DIR: path.join(dir, name),
    GANTRY_TOOL_CACHE: toolCache,
  });
  const agent = startAgent(env, { log: (line) => lines.push(line) });
  agents.push(agent);
  return until(`runner ${name} to register`, async () => (await cp.db.system("test").runner.findFirst({ where: { name } })) ?? undefined);
}

describe("failure causes end to end", () => {
  it("a sandbox that fails to start is retried on attempt 2 on another runner and succeeds, with cause infrastructure on attempt 1", { timeout: 90_000 }, async () => {
    const notAFolder = path.join(dir, "not-a-folder");
    writeFileSync(notAFolder, "");
    const brokenLines: string[] = [];
    const broken = await runner("broken", path.join(notAFolder, "tool-cache"), brokenLines);
    const runId = await cp.startRun({
      jobs: [
        {
          key: "build",
          jobId: "build",
          name: "build",
          needs: [],
          runsOn: ["ubuntu-latest"],
          timeoutMinutes: 5,
          continueOnError: false,
          retry: { maxAttempts: 3 },
          env: {},
          outputs: {},
          steps: [{ index: 0, if: "success()", run: "echo built", env: {}, with: {}, continueOnError: false }],
        },
      ],
    });
    // Only "broken" is in the pool yet: it takes attempt 1, and its sandbox does not start.
    const first = await until(
      "attempt 1 to end",
      async () => (await cp.db.system("test").jobAttempt.findFirst({ where: { job: { runId }, number: 1, status: { notIn: ["ASSIGNED", "RUNNING"] } } })) ?? undefined,
    );
    expect([first.status, first.failureKind, first.runnerId]).toEqual(["FAILED", "INFRASTRUCTURE", broken.id]);
    expect(first.failureReason).toMatch(/^the process sandbox did not start: .*ENOTDIR/);
    const waiting = await cp.db.system("test").jobRun.findFirstOrThrow({ where: { runId } });
    expect(waiting.avoidRunnerIds).toEqual([broken.id]);
    expect(waiting.retryNotBefore).not.toBeNull();

    // A healthy runner joins; after the backoff the retry goes to it, not back to "broken".
    const healthy = await runner("healthy", path.join(dir, "tool-cache"), []);
    const run = await until(
      "the run to conclude",
      async () => {
        const found = await cp.db.system("test").workflowRun.findUniqueOrThrow({ where: { id: runId }, include: { jobs: { include: { attempts: { orderBy: { number: "asc" } } } } } });
        return ["SUCCEEDED", "FAILED", "CANCELED"].includes(found.status) ? found : undefined;
      },
      60_000,
);
    expect(run.status).toBe("SUCCEEDED");
    expect(run.jobs[0]?.attempts.map((a) => [a.number, a.status, a.failureKind, a.runnerId])).toEqual([
      [1, "FAILED", "INFRASTRUCTURE", broken.id],
      [2, "SUCCEEDED", null, healthy.id],
    ]);
    // The retry waited out its backoff (2 s after attempt 1 failed).
    const second = run.jobs[0]?.attempts[1];
    expect((second?.createdAt.getTime() ?? 0) - (first.finishedAt?.getTime() ?? 0)).toBeGreaterThanOrEqual(1_900);
    expect(brokenLines).toContainEqual(expect.stringMatching(/^runner: build failed on the runner's side: the process sandbox did not start/));

    // The run page shows the same rows with their causes (runs.get: apps/web/test/runs-get.test.ts); importing the web
    // router here would bring Next's global types into the runner's sources this project also compiles.
  });
});
