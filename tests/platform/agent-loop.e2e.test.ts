// The real runner agent against the real control-plane code: the web app's runner routes (served over HTTP
// without Next), a started worker (advance-run, ready queues), Postgres and Redis. The first tests replace the
// job executor (they decide each job's outcome, so the loop around it is what is tested); the last runs a job for
// real in a bwrap sandbox, its log and steps reaching the control plane and read back through tRPC.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEMO } from "@gantry/db";
import type { Assignment } from "@gantry/runner-protocol";
import type { PlannedStep } from "@gantry/workflow-schema";
import { POST as claim } from "../../apps/web/src/app/api/runner/v1/claim/route";
import { POST as logs } from "../../apps/web/src/app/api/runner/v1/logs/route";
import { readAttemptLog } from "../../apps/web/src/server/logs/read-attempt-log";
import { DirectoryObjectStore } from "@gantry/storage";
import { BwrapProvider } from "../../apps/runner/src/sandbox/bwrap-provider";
import { startAgent, type AgentHandle, type JobOutcome } from "../../apps/runner/src/index";
import { parseRunnerEnv } from "../../apps/runner/src/env";
import { cancelRun } from "@gantry/engine";
import { demo, startControlPlane, until, type ControlPlane } from "./control-plane";

let cp: ControlPlane;
let db: ControlPlane["db"];
let agent: AgentHandle | undefined;
let registrationToken = "";
let storage = "";
let flakyLogs = false;
let logRequests = 0;
// Each claim request's `max` (the runner's free slots) and how many jobs its answer carried.
const claims: { max: number; jobs: number }[] = [];

beforeAll(async () => {
  cp = await startControlPlane({
    routes: {
      // Every other log request fails before reaching the route while `flakyLogs` is on: the runner must retry.
      "/api/runner/v1/claim": async (request) => {
        const { max } = (await request.clone().json()) as { max?: number };
        const response = await claim(request);
        const answer = (await response.clone().json()) as { assignment: unknown; assignments?: unknown[] };
        claims.push({ max: max ?? 1, jobs: answer.assignments?.length ?? (answer.assignment ? 1 : 0) });
        return response;
      },
      "/api/runner/v1/logs": (request) => (flakyLogs && logRequests++ % 2 === 0 ? Promise.resolve(Response.json({ error: "try again", code: "unavailable" }, { status: 503 })) : logs(request)),
    },
  });
  ({ db, registrationToken, storage } = cp);
});
afterAll(async () => {
  agent?.stop();
  await agent?.done.catch(() => undefined);
  await cp?.close();
});

async function startRun(jobs: { key: string; needs?: string[]; steps?: PlannedStep[]; outputs?: Record<string, string> }[]) {
  return cp.startRun({
    jobs: jobs.map((job) => ({
      key: job.key,
      jobId: job.key,
      name: job.key,
      needs: job.needs ?? [],
      runsOn: ["ubuntu-latest"],
      timeoutMinutes: 5,
      continueOnError: false,
      retry: { maxAttempts: 1 },
      env: {},
      outputs: job.outputs ?? {},
      steps: job.steps ?? [{ index: 0, if: "success()", run: `echo ${job.key}`, env: {}, with: {}, continueOnError: false }],
    })),
  });
}

const finished = (runId: string) => async () => {
  const run = await db.system("test").workflowRun.findUniqueOrThrow({ where: { id: runId }, include: { jobs: { include: { attempts: true } } } });
  return ["SUCCEEDED", "FAILED", "CANCELED"].includes(run.status) ? run : undefined;
};

const bwrap = await new BwrapProvider().probe();
if (!bwrap.available) console.warn(`agent-loop: skipping the real sandbox test: ${bwrap.detail}`);

describe("runner agent ⇄ control plane", () => {
  it("registers, claims each job as its needs finish, passes needs outputs along, and the run concludes", async () => {
    const seen: Assignment[] = [];
    const executor = async (assignment: Assignment): Promise<JobOutcome> => {
      seen.push(assignment);
      return assignment.job.key === "lint"
        ? { conclusion: "FAILED", outputs: {}, failureReason: "exit 1" }
        : { conclusion: "SUCCEEDED", outputs: { built: assignment.job.key } };
    };
    agent = startAgent(parseRunnerEnv({ GANTRY_URL: cp.url, GANTRY_RUNNER_TOKEN: registrationToken, GANTRY_RUNNER_NAME: "loop", GANTRY_RUNNER_CAPACITY: "2", GANTRY_RUNNER_DEV_MODE: "1" }), { executor, log: () => undefined });
    const runId = await startRun([{ key: "build" }, { key: "test", needs: ["build"] }, { key: "lint" }]);
    const run = await until("the run to conclude", finished(runId));
    expect(run.status).toBe("FAILED");
    expect(Object.fromEntries(run.jobs.map((job) => [job.key, [job.status, job.attempts.length]]))).toEqual({
      build: ["SUCCEEDED", 1],
      test: ["SUCCEEDED", 1],
      lint: ["FAILED", 1],
    });
    const test = seen.find((assignment) => assignment.job.key === "test");
    expect(test?.needs).toEqual({ build: { result: "success", outputs: { built: "build" } } });
    const runner = await db.system("test").runner.findFirstOrThrow({ where: { name: "loop" } });
    expect(run.jobs.every((job) => job.attempts[0]?.runnerId === runner.id)).toBe(true);
  });

  it("fills its free slots from one claim, and asks for nothing while every slot is busy", async () => {
    agent?.stop();
    await agent?.done;
    const release: (() => void)[] = [];
    const executor = () => new Promise<JobOutcome>((resolve) => release.push(() => resolve({ conclusion: "SUCCEEDED", outputs: {} })));
    agent = startAgent(parseRunnerEnv({ GANTRY_URL: cp.url, GANTRY_RUNNER_TOKEN: registrationToken, GANTRY_RUNNER_NAME: "slots", GANTRY_RUNNER_CAPACITY: "4", GANTRY_RUNNER_DEV_MODE: "1" }), { executor, log: () => undefined });
    await until("the runner's first claim", async () => (claims.length > 0 || (await db.system("test").runner.count({ where: { name: "slots" } })) > 0 ? true : undefined));
    claims.length = 0;
    const runId = await startRun([{ key: "a" }, { key: "b" }, { key: "c" }, { key: "d" }]);
    await until("four jobs running", async () => (release.length === 4 ? true : undefined));
    // The jobs were made ready together: the long poll asking for four took them in one answer.
    expect(claims.filter((one) => one.jobs > 0), JSON.stringify(claims)).toEqual([{ max: 4, jobs: 4 }]);
    const asked = claims.length;
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    expect(claims.length, "no claim while every slot is busy").toBe(asked);
    // One slot frees: the next claim asks for one.
    release.shift()?.();
    await until("a claim for the freed slot", async () => (claims.length > asked ? true : undefined));
    expect(claims[asked]?.max).toBe(1);
    for (const done of release.splice(0)) done();
    expect((await until("the run to conclude", finished(runId))).status).toBe("SUCCEEDED");
  });

  it("a cancelled run stops the running job through its heartbeat", async () => {
    let aborted = false;
    agent?.stop();
    await agent?.done;
    const executor = (_assignment: Assignment, signal: AbortSignal) =>
      new Promise<JobOutcome>((resolve) => {
        signal.addEventListener("abort", () => {
          aborted = true;
          resolve({ conclusion: "CANCELED", outputs: {} });
        });
      });
    agent = startAgent(parseRunnerEnv({ GANTRY_URL: cp.url, GANTRY_RUNNER_TOKEN: registrationToken, GANTRY_RUNNER_NAME: "loop2", GANTRY_RUNNER_DEV_MODE: "1" }), { executor, log: () => undefined });
    const runId = await startRun([{ key: "forever" }]);
    await until("the job to start", async () => ((await db.system("test").jobAttempt.count({ where: { job: { runId }, status: "RUNNING" } })) > 0 ? true : undefined));
    await cancelRun(db, demo, runId, "cancelled by a person");
    await until("the executor to be aborted", async () => (aborted ? true : undefined), 10_000);
    const attempt = await until(
      "the attempt to end",
      async () => (await db.system("test").jobAttempt.findFirst({ where: { job: { runId }, status: { not: "RUNNING" } } })) ?? undefined,
    );
    expect(attempt.status).toBe("CANCELED");
  });
  it.skipIf(!bwrap.available)("runs a job for real in a bwrap sandbox: ordered, masked log chunks (retried through a flaky network) and step reports reach the control plane", async () => {
    agent?.stop();
    await agent?.done;
    // The pool's provider decides the sandbox; no development mode needed for bwrap.
    await db.system("test").runnerPool.update({ where: { id: DEMO.poolId }, data: { provider: "BWRAP" } });
    const lines: string[] = [];
    flakyLogs = true;
    agent = startAgent(parseRunnerEnv({ GANTRY_URL: cp.url, GANTRY_RUNNER_TOKEN: registrationToken, GANTRY_RUNNER_NAME: "real" }), { log: (line) => lines.push(line) });
    const steps: PlannedStep[] = [
      {
        index: 0,
        id: "hello",
        name: "Hello",
        if: "success()",
        run: [
          // Made at run time, so the script echoed at the top of the step does not show it.
          'secret="s3cr3t-$((40 + 2))-value"',
          'echo "::add-mask::$secret"',
          'echo "hello from step one"',
          'echo "the value is $secret"',
          'echo "v=42" >> "$GITHUB_OUTPUT"',
          'echo "## Summary of one" >> "$GITHUB_STEP_SUMMARY"',
          'echo "::error file=src/app.ts,line=3,col=7::it broke"',
        ].join("\n"),
        env: {},
        with: {},
        continueOnError: false,
      },
      { index: 1, name: "Second", if: "success()", run: `echo "second step"; printf '\\033[31mred\\033[0m\\n'`, env: {}, with: {}, continueOnError: false },
      { index: 2, name: "Only on failure", if: "failure()", run: "echo never", env: {}, with: {}, continueOnError: false },
    ];
    const runId = await startRun([{ key: "real", steps, outputs: { out: "${{ steps.hello.outputs.v }}" } }]);
    const run = await until("the run to conclude", finished(runId), 60_000);
    flakyLogs = false;
    expect(run.status, lines.join("\n")).toBe("SUCCEEDED");
    expect(lines).toContainEqual(expect.stringMatching(/^runner: log chunk 0 for real: try again; retrying in \d+ ms$/));
    expect(run.jobs[0]?.outputs).toEqual({ out: "42" });
    expect(lines).toContainEqual(expect.stringMatching(/^runner: jobs run in bwrap sandboxes: the pool is configured with bwrap, and this host can start it/));

    const attemptId = run.jobs[0]?.attempts[0]?.id ?? "";
    const chunks = await db.system("test").logChunk.findMany({ where: { attemptId }, orderBy: { seq: "asc" } });
    expect(chunks.map((chunk) => chunk.seq)).toEqual(chunks.map((_, index) => index));
    expect(new Set(chunks.map((chunk) => chunk.stepIndex))).toEqual(new Set([0, 1]));

    // Read back as the run page does (runs.logs is this reader plus the StepRun rows; apps/web/test/runner-logs.test.ts).
    const log = await readAttemptLog(db.forTenant(demo), new DirectoryObjectStore(storage), attemptId);
    const read = { text: log.chunks.map((chunk) => chunk.text).join(""), steps: await db.forTenant(demo).stepRun.findMany({ where: { attemptId }, orderBy: { index: "asc" } }) };
    expect(read.text).toContain("hello from step one\nthe value is ***\n");
    expect(read.text).not.toContain("s3cr3t-42-value");
    expect(read.text).toContain("##[error]it broke\n");
    expect(read.text).toContain("second step\n\u001b[31mred\u001b[0m\n");
    expect(read.text.indexOf("hello from step one")).toBeLessThan(read.text.indexOf("second step"));
    expect(read.steps.map((s) => [s.index, s.name, s.status])).toEqual([
      [0, "Hello", "SUCCEEDED"],
      [1, "Second", "SUCCEEDED"],
      [2, "Only on failure", "SKIPPED"],
    ]);
    expect(read.steps[0]).toMatchObject({ stepId: "hello", outputs: { v: "42" }, summary: "## Summary of one\n", annotations: [{ level: "error", message: "it broke", file: "src/app.ts", line: 3, col: 7 }] });
    expect(read.steps.every((s) => s.finishedAt !== null)).toBe(true);
  });

  it.skipIf(!bwrap.available)("re-run failed jobs keeps attempt 1's logs and runs only the failed job and its dependents", async () => {
    agent?.stop();
    await agent?.done;
    await db.system("test").runnerPool.update({ where: { id: DEMO.poolId }, data: { provider: "BWRAP" } });
    const lines: string[] = [];
    agent = startAgent(parseRunnerEnv({ GANTRY_URL: cp.url, GANTRY_RUNNER_TOKEN: registrationToken, GANTRY_RUNNER_NAME: "rerun" }), { log: (line) => lines.push(line) });
    const step = (run: string): PlannedStep[] => [{ index: 0, name: "main", if: "success()", run, env: {}, with: {}, continueOnError: false }];
    // test fails on the run's first attempt only: it reads github.run_attempt (GITHUB_RUN_ATTEMPT).
    const runId = await startRun([
      { key: "build", steps: step('echo "build on attempt $GITHUB_RUN_ATTEMPT"') },
      { key: "test", needs: ["build"], steps: step('echo "test on attempt $GITHUB_RUN_ATTEMPT"\nif [ "$GITHUB_RUN_ATTEMPT" = "1" ]; then echo "failing the first time"; exit 1; fi') },
      { key: "deploy", needs: ["test"], steps: step('echo "deploy on attempt $GITHUB_RUN_ATTEMPT"') },
    ]);
    const first = await until("the first attempt to conclude", finished(runId), 60_000);
    expect(first.status, lines.join("\n")).toBe("FAILED");
    expect(Object.fromEntries(first.jobs.map((job) => [job.key, job.status]))).toEqual({ build: "SUCCEEDED", test: "FAILED", deploy: "SKIPPED" });

    expect(await cp.worker.engine.rerun(demo, runId, { mode: "failed", actor: "e2e" })).toMatchObject({ rerun: true, runAttempt: 2 });
    const second = await until("the re-run to conclude", finished(runId), 60_000);
    expect(second.status, lines.join("\n")).toBe("SUCCEEDED");
    expect(second.runAttempt).toBe(2);
    const attempts = (key: string) =>
      second.jobs
        .find((job) => job.key === key)
        ?.attempts.sort((a, b) => a.number - b.number)
        .map((attempt) => [attempt.number, attempt.runAttempt, attempt.status]);
    // build did not run again; test and deploy ran as run attempt 2.
    expect(attempts("build")).toEqual([[1, 1, "SUCCEEDED"]]);
    expect(attempts("test")).toEqual([
      [1, 1, "FAILED"],
      [2, 2, "SUCCEEDED"],
    ]);
    expect(attempts("deploy")).toEqual([[1, 2, "SUCCEEDED"]]);

    // Both of test's attempts are readable, as the run page reads them.
    const logOf = async (number: number) => {
      const attemptId = second.jobs.find((job) => job.key === "test")?.attempts.find((attempt) => attempt.number === number)?.id ?? "";
      const log = await readAttemptLog(db.forTenant(demo), new DirectoryObjectStore(storage), attemptId);
      return log.chunks.map((chunk) => chunk.text).join("");
    };
    const one = await logOf(1);
    // (The step's script is echoed at its top: the lines it printed are matched whole.)
    expect(one).toMatch(/^test on attempt 1$/m);
    expect(one).toMatch(/^failing the first time$/m);
    const two = await logOf(2);
    expect(two).toMatch(/^test on attempt 2$/m);
    expect(two).not.toMatch(/^failing the first time$/m);
  });
});
