/**
 * Benchmark `fanout` (issue #15): one push of a workflow whose one job has a 16 × 16 = 256-cell matrix of no-op steps
 * (`run: true`), on a pool with a slot for every cell. GitHub took 100 s to start a 256-job matrix on idle runners
 * (actions/runner#676); the goal here is under 10 s on 2 cores.
 * The real path: a bare git repository holding the workflow; the push notification a post-receive hook sends
 * (signed, POST /api/git/sources/:id/push); the worker's intake (reads the workflow at the pushed commit, expands the
 * matrix, creates the run) and its orchestration; the runner routes; and a warm runner agent in its own process with
 * GANTRY_RUNNER_CAPACITY=256 (one claim long poll asking for all its free slots) on the `process` provider
 * (bench/lib/runner-harness.ts).
 * Figures, all from the push (the notification is sent):
 *   pushToRunCreated   — the run row exists (intake done: delivery stored, workflow read, matrix expanded);
 *   pushToLastReady    — the last cell is in the pool's fair queue (its readyAt);
 *   pushToFirst/LastStart — the first / last cell is claimed by a runner (JobRun.startedAt: QUEUED → RUNNING at claim);
 *   pushToLastCellDone — the last cell finished (JobRun.finishedAt);
 *   pushToConclusion   — the run's conclusion is recorded (WorkflowRun.finishedAt);
 *   perJobOverhead     — pushToConclusion / cells: what each no-op job costs the platform, amortised (the cells
 *                        run at once, so this is the wall time the control plane and runner spend per job);
 *   cellStartToDone    — per cell, claim → finished (p50, p99): a no-op job's latency inside the runner and back;
 *   controlPlaneCpuMs  — CPU this process (routes, and the worker beside them) spent from push to conclusion.
 * Timestamps come from Postgres rows written by this process (worker, routes) or the runner process on the same host.
 * Run: npm run bench -- fanout   (GANTRY_BENCH_TIMELINE=1: progress every 2 s; GANTRY_BENCH_RUNNER_PROFILE=DIR: the
 * runner's CPU profile; GANTRY_BENCH_PROFILE=FILE: this process's CPU profile from push to conclusion;
 * GANTRY_BENCH_WORKER=process: the worker in its own process). Last line: one JSON object.
 */
import { execFileSync } from "node:child_process";
import { createHmac, randomBytes, randomUUID } from "node:crypto";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { getServices } from "../apps/web/src/server/services";
import { DEMO } from "../packages/db/src/index";
import { loadAverage, nowMs, round, startHarness, stat } from "./lib/runner-harness";
import { windowProfile } from "./lib/window-profile";

const AXIS = 16;
const CELLS = AXIS * AXIS;
const GOAL_MS = 10_000;
// Runner processes sharing the cells' slots (GANTRY_BENCH_RUNNERS, default 4 × 64): one agent can hold 256 slots,
// but its sandbox set-up and teardown are synchronous file calls that stall its event loop (and so its heartbeats).
const RUNNERS = Number(process.env.GANTRY_BENCH_RUNNERS ?? 4);
const values = Array.from({ length: AXIS }, (_, i) => i).join(", ");
const WORKFLOW = `name: fanout
on: push
jobs:
  cell:
    runs-on: ubuntu-latest
    strategy:
      matrix:
        a: [${values}]
        b: [${values}]
    steps:
      - run: "true"
`;

const scratch = mkdtempSync(path.join(os.tmpdir(), "gantry-bench-fanout-"));
const bare = path.join(scratch, "repo.git");
const tree = path.join(scratch, "tree");
const git = (cwd: string, ...args: string[]) => execFileSync("git", ["-C", cwd, "-c", "user.name=bench", "-c", "user.email=bench@gantry.local", ...args], { encoding: "utf8" }).trim();
execFileSync("git", ["init", "-q", "--bare", "-b", "main", bare]);
mkdirSync(path.join(tree, ".gantry/workflows"), { recursive: true });
writeFileSync(path.join(tree, ".gantry/workflows/fanout.yml"), WORKFLOW);
git(tree, "init", "-q", "-b", "main");
git(tree, "add", "-A");
git(tree, "commit", "-q", "-m", "fanout");
git(tree, "push", "-q", bare, "main");
const sha = git(tree, "rev-parse", "HEAD");

const masterKey = randomBytes(32);
const secret = randomBytes(24).toString("hex");
const harness = await startHarness({
  provider: "process",
  capacity: CELLS / RUNNERS,
  runnerProcess: true,
  runnerProcesses: RUNNERS,
  // The worker beside the routes by default; GANTRY_BENCH_WORKER=process puts it in its own process, as deployed. On
  // 2 cores the extra process costs more than the second event loop gains (docs/runner-protocol.md, Fan-out).
  workerProcess: process.env.GANTRY_BENCH_WORKER === "process",
  git: { repositoryUrl: bare, notify: { masterKey, secret } },
  extraEnv: { GANTRY_MASTER_KEY: masterKey.toString("base64") },
  workerEnv: { GANTRY_GIT_CACHE_DIR: path.join(scratch, "git-cache"), GANTRY_MASTER_KEY: masterKey.toString("base64") },
});
try {
  const sys = harness.db.system("bench fanout");
  // The demo tenant's plan allows 20 jobs at once (Tenant.maxConcurrentJobs): raised to the matrix, so the figure is
  // the platform's fan-out, not the plan's cap (with 20, the 256 cells start ~5 a second, as jobs end).
  await sys.tenant.update({ where: { id: DEMO.tenantId }, data: { maxConcurrentJobs: CELLS } });
  // Warm: every runner is long-polling for all its slots (one claim per runner, asking for its free slots, waits in
  // the route), so the figures are the platform's, not the runners' start-up.
  const waiter = getServices().readyWaiter;
  for (const deadline = Date.now() + 120_000; waiter.waitingCount(DEMO.poolId) < RUNNERS; ) {
    if (Date.now() > deadline) throw new Error(`only ${waiter.waitingCount(DEMO.poolId)} of ${RUNNERS} runners are long-polling after 120 s`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }

  const body = JSON.stringify({ repository: DEMO.repositoryName, ref: "refs/heads/main", before: "0".repeat(40), after: sha, pusher: "bench" });
  const pushedAt = nowMs();
  // The control plane's CPU (this process: routes, and the worker unless it has its own): unlike wall time, it does
  // not move with what else the machine runs, so changes to the claim path compare on a busy machine too.
  const cpuAtPush = process.cpuUsage();
  const profile = await windowProfile(process.env.GANTRY_BENCH_PROFILE);
  const response = await fetch(`${harness.url}/api/git/sources/${encodeURIComponent(DEMO.gitSourceId)}/push`, {
    method: "POST",
    headers: { "content-type": "application/json", "x-gantry-delivery": randomUUID(), "x-gantry-signature-256": `sha256=${createHmac("sha256", secret).update(body).digest("hex")}` },
    body,
  });
  if (response.status !== 202) throw new Error(`the push notification was answered ${response.status}: ${await response.text()}`);

  let runId: string | undefined;
  for (const deadline = Date.now() + 60_000; !runId; ) {
    runId = (await sys.workflowRun.findFirst({ where: { sha }, select: { id: true } }))?.id;
    if (!runId && Date.now() > deadline) {
      const deliveries = await sys.webhookDelivery.findMany({ select: { status: true, error: true } });
      throw new Error(`no run 60 s after the push: deliveries ${JSON.stringify(deliveries)}`);
    }
    if (!runId) await new Promise((resolve) => setTimeout(resolve, 50));
  }
  // GANTRY_BENCH_TIMELINE=1: every 2 s, the pool's queue and the cells by status (adds a few queries of load).
  const timeline = process.env.GANTRY_BENCH_TIMELINE === "1"
    ? setInterval(() => {
        void (async () => {
          const stats = await getServices().scheduler.stats(DEMO.poolId);
          const byStatus = await sys.jobRun.groupBy({ by: ["status"], where: { runId }, _count: true });
          const unplaced = await sys.jobRun.count({ where: { runId, poolId: null } });
          console.log(`  t=${Math.round(nowMs() - pushedAt)} ms: queue ready ${stats.ready} claimed ${stats.claimed}; not yet in a queue ${unplaced}; ${byStatus.map((g) => `${g.status} ${g._count}`).join(", ")}`);
        })();
      }, 2_000)
    : undefined;
  const { status } = await harness.finished(runId, 600_000);
  const cpu = process.cpuUsage(cpuAtPush);
  await profile?.stop();
  clearInterval(timeline);
  const run = await sys.workflowRun.findUniqueOrThrow({ where: { id: runId }, include: { jobs: { select: { status: true, readyAt: true, startedAt: true, finishedAt: true, attempt: true } } } });
  if (status !== "SUCCEEDED") throw new Error(`the run ended ${status}: ${run.jobs.filter((j) => j.status !== "SUCCEEDED").length} cells did not succeed`);
  if (run.jobs.length !== CELLS) throw new Error(`the run has ${run.jobs.length} jobs, not ${CELLS}`);

  const since = (at: Date | null) => {
    if (!at) throw new Error("a cell lacks a timestamp");
    return at.getTime() - pushedAt;
  };
  const max = (xs: number[]) => Math.max(...xs);
  const min = (xs: number[]) => Math.min(...xs);
  const starts = run.jobs.map((j) => since(j.startedAt));
  const figures = {
    cells: CELLS,
    pushToLastStartMs: round(max(starts)),
    pushToConclusionMs: round(since(run.finishedAt)),
    perJobOverheadMs: round(since(run.finishedAt) / CELLS),
    provider: harness.provider,
    runners: RUNNERS,
    // More than `cells`: some attempt lost its lease (its runner did not heartbeat in time) and the cell ran again.
    attempts: run.jobs.reduce((sum, j) => sum + j.attempt, 0),
    breakdownMs: {
      pushToRunCreated: round(since(run.createdAt)),
      pushToLastReady: round(max(run.jobs.map((j) => since(j.readyAt)))),
      pushToFirstStart: round(min(starts)),
      pushToLastStart: round(max(starts)),
      pushToLastCellDone: round(max(run.jobs.map((j) => since(j.finishedAt)))),
      pushToConclusion: round(since(run.finishedAt)),
    },
    controlPlaneCpuMs: round((cpu.user + cpu.system) / 1000),
    cellStartToDoneMs: stat(run.jobs.map((j) => since(j.finishedAt) - since(j.startedAt))),
    loadAverage: loadAverage(),
  };
  const line = (name: string, ms: number) => console.log(`  ${name.padEnd(34)} ${String(ms).padStart(9)} ms`);
  console.log(`fanout: one push, ${CELLS}-cell matrix (${AXIS} × ${AXIS}) of \`run: true\`, ${RUNNERS} runner process(es) with ${CELLS / RUNNERS} slots each on ${harness.provider}; the worker ${process.env.GANTRY_BENCH_WORKER === "process" ? "in its own process" : "in the routes' process"}`);
  line("push → run created (intake)", figures.breakdownMs.pushToRunCreated);
  line("push → last cell ready", figures.breakdownMs.pushToLastReady);
  line("push → first cell started", figures.breakdownMs.pushToFirstStart);
  line("push → last cell started", figures.pushToLastStartMs);
  line("push → last cell done", figures.breakdownMs.pushToLastCellDone);
  line("push → run concluded", figures.pushToConclusionMs);
  line("per-job overhead (amortised)", figures.perJobOverheadMs);
  console.log(`  control plane CPU, push → concluded ${String(figures.controlPlaneCpuMs).padStart(9)} ms (${round(figures.controlPlaneCpuMs / CELLS)} ms a cell)`);
  console.log(`  attempts                           ${String(figures.attempts).padStart(9)}`);
  console.log(`  cell start → done                  p50 ${figures.cellStartToDoneMs.p50} ms   p99 ${figures.cellStartToDoneMs.p99} ms`);
  console.log(`  goal: push → last cell started < ${GOAL_MS / 1000} s: ${figures.pushToLastStartMs < GOAL_MS ? "met" : "missed"}   load average ${figures.loadAverage.join(" ")}`);
  // What went wrong on the runners' side (lost leases show up here as refused heartbeats or completions).
  // The runners' probe lines name every provider's state (e.g. microvm's TCG fallback): not trouble.
  const trouble = harness.runnerLog().filter((entry) => /retrying|refused|lost|error/i.test(entry) && !/sandbox provider \S+: (available|unavailable)/.test(entry));
  if (trouble.length > 0) console.log(`  runner trouble (${trouble.length} lines), first: ${trouble.slice(0, 5).join(" | ")}`);
  console.log(JSON.stringify({ fanout: figures }));
} finally {
  await harness.close();
  rmSync(scratch, { recursive: true, force: true });
}
