// Check runs follow every job transition: intake creates them queued, the claim and advanceRun (every worker-side
// job change ends there) ask for report-check jobs, and the real report-check worker brings each check run up to
// the job's state against the fake GitHub — in order, idempotently, through 5xx retries and rate limits.
import { randomBytes, randomUUID } from "node:crypto";
import { startRunsNow } from "../support/start-runs-now";
import os from "node:os";
import path from "node:path";
import type { Worker } from "bullmq";
import type { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { intake, transitions, type Database, type TenantContext } from "@gantry/db";
import { publishedExamples, type FakeGithub } from "@gantry/github/testing";
import { Queues, requestCheckReports } from "@gantry/jobs";
import { processDelivery } from "../../src/intake/process-delivery";
import type { GithubIntake, GithubIntakeDeps } from "../../src/intake/github/types";
import { startReportCheckWorker } from "../../src/jobs/report-check";
import { reportJobCheck } from "../../src/intake/github/report-checks";
import { FairScheduler } from "@gantry/scheduler";
import { advanceRun, cancelRun, rerun, startRun, systemClock, timeOutJob, whyWaiting } from "@gantry/engine";
import { CheckRunReporter } from "@gantry/github";
import { githubTestbed, until, type GithubTestbed } from "./github-testbed";
import { testRedis } from "@gantry/testing";

const INSTALLATION = 41_001;
const REPO_ID = 641_001;
const FULL_NAME = "octo/checks";
const CI = `name: CI
on: push
jobs:
  build:
    runs-on: ubuntu-latest
    steps:
      - run: echo build
  test:
    needs: build
    runs-on: ubuntu-latest
    steps:
      - run: echo test
`;

let db: Database;
let fake: FakeGithub;
let github: GithubIntake;
let deps: GithubIntakeDeps;
let queues: Queues;
let connection: Redis;
let worker: Worker;
let tenantId: string;
let ctx: TenantContext;

const sha = () => randomBytes(20).toString("hex");

async function pushRun(after: string, workflow = CI) {
  fake.addCommit(FULL_NAME, INSTALLATION, after, { ".gantry/workflows/ci.yml": workflow });
  const base = publishedExamples("push").find((payload) => payload.installation !== undefined) ?? {};
  const payload = {
    ...base,
    ref: "refs/heads/main",
    before: sha(),
    after,
    created: false,
    deleted: false,
    forced: false,
    commits: [],
    head_commit: { ...(base.head_commit as object), id: after },
    repository: { ...(base.repository as object), id: REPO_ID, name: "checks", full_name: FULL_NAME, default_branch: "main" },
    installation: { id: INSTALLATION },
  };
  const { id } = await intake.recordDelivery(db.sql("test"), { deliveryId: randomUUID(), source: "github", event: "push", payload: JSON.parse(JSON.stringify(payload)) });
  await processDelivery(deps, id);
  const run = await db.forTenant(ctx).workflowRun.findFirstOrThrow({ where: { sha: after }, include: { jobs: true } });
  const job = (key: string) => {
    const found = run.jobs.find((candidate) => candidate.key === key);
    if (!found) throw new Error(`no job ${key}`);
    return found;
  };
  return { run, build: job("build"), test: job("test") };
}

/** What the web's claim does: QUEUED/WAITING → RUNNING with a new attempt, then asks for the check report. */
async function claim(jobId: string) {
  const job = await db.forTenant(ctx).jobRun.findUniqueOrThrow({ where: { id: jobId } });
  const assigned = await transitions.assignJob(db.system("test claim"), ctx, { jobId, expectedAttempt: job.attempt, leaseMs: 60_000 });
  if (!assigned) throw new Error("not assigned");
  await requestCheckReports(queues, tenantId, [{ id: jobId, status: "RUNNING", attempt: assigned.attempt }]);
  return assigned;
}

/** What the web's complete and the advance-run job do: the conclusion, then advanceRun (which asks for reports). */
async function complete(jobId: string, attempt: { attemptId: string; attempt: number }, conclusion: "SUCCEEDED" | "FAILED", steps: { summary?: string; annotations?: { level: string; message: string; file?: string; line?: number }[] }[] = []) {
  const sys = db.system("test complete");
  for (const [index, step] of steps.entries()) {
    await sys.stepRun.create({ data: { id: `${attempt.attemptId}-s${index}`, tenantId, attemptId: attempt.attemptId, index, name: `step ${index}`, status: conclusion, summary: step.summary ?? null, annotations: step.annotations ?? [] } });
  }
  await transitions.finishJob(sys, ctx, jobId, attempt.attempt, conclusion, conclusion === "FAILED" ? { kind: "USER", reason: "a step failed" } : undefined);
  const job = await db.forTenant(ctx).jobRun.findUniqueOrThrow({ where: { id: jobId } });
  await advanceRun(db, ctx, job.runId, { notify: queues });
}

const checkOf = (jobId: string) => [...fake.checkRuns.values()].find((check) => check.external_id === jobId || check.external_id?.startsWith(`${jobId}:`));
const writesTo = (checkRunId: number | bigint | undefined) =>
  fake.calls.filter((call) => call.status < 300 && ((call.method === "PATCH" && call.path.endsWith(`/check-runs/${checkRunId}`)) || (call.method === "POST" && call.path.endsWith("/check-runs") && checkOf(String((call.body as { external_id?: string }).external_id))?.id === checkRunId)));

/** Every report-check job has run (none waiting, delayed or active). */
async function drained(): Promise<boolean> {
  const counts = await queues.queue("gantry-github-checks").getJobCounts("waiting", "active", "delayed", "prioritized", "wait");
  return Object.values(counts).every((count) => count === 0);
}

let testbed: GithubTestbed;
const keys = testRedis("check-reports");
const queuePrefix = keys.prefix;

beforeAll(async () => {
  testbed = await githubTestbed({ installation: INSTALLATION, id: REPO_ID, fullName: FULL_NAME });
  ({ db, fake, github, tenantId } = testbed);
  ctx = { tenantId, actor: { kind: "SYSTEM" } };
  deps = { db, startRun: startRunsNow(db), gitCacheDir: path.join(os.tmpdir(), "gantry-git-cache-test"), github };
  connection = keys.connect({ maxRetriesPerRequest: null });
  queues = new Queues(connection, queuePrefix);
  worker = startReportCheckWorker({ db, github: () => github, connection, redis: connection, prefix: queuePrefix, perSecond: 50, publicUrl: "https://ci.example.com" });
});
afterAll(async () => {
  await worker?.close();
  await queues?.close();
  await keys.close();
  await testbed?.close();
});

describe("check runs follow the jobs", () => {
  it("QUEUED → RUNNING → SUCCEEDED, and a failed job with its summary and every annotation, 50 per call", async () => {
    const { build, test } = await pushRun(sha());
    expect(checkOf(build.id)).toMatchObject({ status: "queued", name: "CI / build" });
    expect(checkOf(test.id)).toMatchObject({ status: "queued", name: "CI / test" });

    const buildAttempt = await claim(build.id);
    await until("build in progress", () => checkOf(build.id)?.status === "in_progress");
    await complete(build.id, buildAttempt, "SUCCEEDED", [{ summary: "## Build\nall green" }]);
    await until("build completed", () => checkOf(build.id)?.status === "completed");
    const tenant = await db.system("test").tenant.findUniqueOrThrow({ where: { id: tenantId } });
    expect(checkOf(build.id)).toMatchObject({ conclusion: "success", output: { title: "Succeeded", summary: "## Build\nall green" }, details_url: `https://ci.example.com/t/${tenant.slug}/runs/${build.runId}` });
    expect(writesTo(checkOf(build.id)?.id).map((call) => [call.method, (call.body as { status?: string }).status, (call.body as { conclusion?: string }).conclusion])).toEqual([
      ["POST", "queued", undefined],
      ["PATCH", "in_progress", undefined],
      ["PATCH", "completed", "success"],
    ]);

    const testAttempt = await claim(test.id);
    // Reports read the job's state when they run: one that runs after the completion says completed, not in_progress.
    await until("test in progress", () => checkOf(test.id)?.status === "in_progress");
    const annotations = Array.from({ length: 120 }, (_, index) => ({ level: index % 2 ? "warning" : "error", message: `problem ${index}`, file: "src/app.ts", line: index + 1 }));
    await complete(test.id, testAttempt, "FAILED", [{ summary: "3 tests failed", annotations: [...annotations.slice(0, 70), { level: "error", message: "no file for this one" }] }, { annotations: annotations.slice(70) }]);
    await until("test completed with every annotation", () => checkOf(test.id)?.output.annotations_count === 120);
    const check = checkOf(test.id);
    expect(check).toMatchObject({ status: "completed", conclusion: "failure", output: { title: "Failed" } });
    expect(check?.output.summary).toContain("Failed: a step failed");
    expect(check?.output.summary).toContain("3 tests failed");
    expect(check?.output.summary).toContain("no file for this one");
    expect(fake.annotations.get(Number(check?.id ?? 0))?.[0]).toMatchObject({ path: "src/app.ts", start_line: 1, annotation_level: "failure", message: "problem 0" });
    const patches = writesTo(check?.id).filter((call) => call.method === "PATCH");
    expect(patches.map((call) => ((call.body as { output?: { annotations?: unknown[] } }).output?.annotations ?? []).length)).toEqual([0, 50, 50, 20]);
  });

  it("a queued job's check says why it waits (issue #17), as the run page does", async () => {
    const { test } = await pushRun(sha());
    const scheduler = new FairScheduler({ redis: connection, prefix: queuePrefix });
    await reportJobCheck(db, github, ctx, test.id, { whyWaiting: (c, runId, onlyJobId) => whyWaiting({ db, scheduler, clock: systemClock }, c, runId, onlyJobId) });
    expect(checkOf(test.id)).toMatchObject({ status: "queued", output: { title: "Waiting", summary: "Waiting for build (queued) to finish." } });
  });

  it("a workflow-warnings check that intake could not report is made by the next job report, once", async () => {
    const warned = CI.replace("echo build", 'echo "${{ github.event.head_commit.message }}"');
    const after = sha();
    const { run, build } = await pushRun(after, warned);
    const workflowCheck = () => [...fake.checkRuns.values()].find((check) => check.external_id === run.id);
    expect(workflowCheck()).toMatchObject({ name: "CI", status: "completed", conclusion: "neutral" });
    // GitHub lost it (as if intake's report had failed): the job's next report makes it again, with its annotation.
    fake.checkRuns.delete(Number(workflowCheck()?.id));
    const lost = fake.calls.length;
    const attempt = await claim(build.id);
    await until("the warnings check made again", () => workflowCheck() !== undefined);
    const again = workflowCheck();
    expect(again).toMatchObject({ name: "CI", status: "completed", conclusion: "neutral", output: { title: "1 workflow warning", annotations_count: 1 } });
    expect(fake.annotations.get(Number(again?.id))).toEqual([
      expect.objectContaining({ path: ".gantry/workflows/ci.yml", start_line: 7, end_line: 7, annotation_level: "warning", title: "script-injection", message: expect.stringContaining("github.event.head_commit.message") }),
    ]);
    // Later reports find it complete and leave it alone.
    await complete(build.id, attempt, "SUCCEEDED");
    await until("build completed", () => checkOf(build.id)?.status === "completed");
    await until("every report processed", drained);
    expect(writesTo(again?.id).filter((call) => fake.calls.indexOf(call) >= lost).map((call) => call.method)).toEqual(["POST"]);
  });

  it("duplicate and out-of-order reports change nothing: each report reads the job's state when it runs", async () => {
    const { build } = await pushRun(sha());
    await worker.pause();
    // The claim's report and the completion's are both waiting when the worker resumes: the first one processed
    // already sees SUCCEEDED, and the rest (and any repeat) find a completed check.
    const attempt = await claim(build.id);
    await complete(build.id, attempt, "SUCCEEDED");
    await requestCheckReports(queues, tenantId, [{ id: build.id, status: "RUNNING", attempt: attempt.attempt }]);
    worker.resume();
    await until("build completed", () => checkOf(build.id)?.status === "completed");
    await requestCheckReports(queues, tenantId, [{ id: build.id, status: "RUNNING", attempt: 7 }]);
    await queues.add("report-check", { tenantId, jobRunId: build.id }, `check-repeat-${build.id}`);
    await until("every report processed", drained);
    expect(writesTo(checkOf(build.id)?.id).map((call) => [call.method, (call.body as { status?: string }).status])).toEqual([
      ["POST", "queued"],
      ["PATCH", "completed"],
    ]);
  });

  it("a 5xx fails the attempt and BullMQ retries it with backoff", async () => {
    const { build } = await pushRun(sha());
    fake.failNext(/^PATCH \/repos\/octo\/checks\/check-runs\/\d+$/, 500);
    await claim(build.id);
    await until("build in progress after the retry", () => checkOf(build.id)?.status === "in_progress");
    const patches = fake.calls.filter((call) => call.method === "PATCH" && call.path.endsWith(`/check-runs/${checkOf(build.id)?.id}`));
    expect(patches.map((call) => call.status)).toEqual([500, 200]);
  });

  it("a rate-limited 403 pauses the reports until GitHub's reset, without spending an attempt", async () => {
    const { build } = await pushRun(sha());
    const resetAt = Math.ceil(Date.now() / 1000) + 2;
    fake.failNext(/^PATCH \/repos\/octo\/checks\/check-runs\/\d+$/, 403, { headers: { "x-ratelimit-remaining": "0", "x-ratelimit-reset": String(resetAt) }, message: "API rate limit exceeded for installation ID 41001." });
    await claim(build.id);
    await until("the rate-limited answer", () => fake.calls.some((call) => call.status === 403));
    await until("build in progress after the reset", () => checkOf(build.id)?.status === "in_progress", 20_000);
    expect(Date.now()).toBeGreaterThanOrEqual(resetAt * 1000);
    // One attempt in all, and no failure recorded: the wait was the queue's, not a retry.
    const job = await until("the report job completed", async () => {
      // Read the job again once it is completed: a copy fetched while it was still active holds the old counters.
      const checks = queues.queue("gantry-github-checks");
      const id = `check-${build.id}-RUNNING-1`;
      return (await (await checks.getJob(id))?.isCompleted()) && (await checks.getJob(id));
    });
    expect({ attemptsMade: job.attemptsMade, stacktrace: job.stacktrace, failedReason: job.failedReason }).toEqual({ attemptsMade: 1, stacktrace: [], failedReason: undefined });
  });

  it("two worker replicas never report one job at once: a slow report is not overtaken by a later one", async () => {
    const { build } = await pushRun(sha());
    // A second replica, with a client (and so check reporters) of its own.
    const replica = startReportCheckWorker({ db, github: () => ({ ...github }), connection, redis: connection, prefix: queuePrefix, perSecond: 50 });
    try {
      const slow = fake.holdNext(/^GET \/repos\/octo\/checks\/commits\/[0-9a-f]+\/check-runs$/);
      const attempt = await claim(build.id);
      await slow.reached;
      // The in_progress report has read the check (queued) and waits for GitHub's answer; the first worker takes
      // nothing more, so the replica gets the completion's report.
      await worker.pause(true);
      await complete(build.id, attempt, "SUCCEEDED");
      const completion = `check-${build.id}-SUCCEEDED-${attempt.attempt}`;
      await until("the completion's report to wait for the lock, or overtake", async () => {
        const state = await queues.queue("gantry-github-checks").getJobState(completion);
        return state === "delayed" || checkOf(build.id)?.status === "completed";
      });
      slow.release();
      worker.resume();
      await until("the check completed", () => checkOf(build.id)?.status === "completed");
      await until("every report processed", drained);
      expect(checkOf(build.id)).toMatchObject({ status: "completed", conclusion: "success" });
      expect(writesTo(checkOf(build.id)?.id).map((call) => [call.method, (call.body as { status?: string }).status])).toEqual([
        ["POST", "queued"],
        ["PATCH", "in_progress"],
        ["PATCH", "completed"],
      ]);
    } finally {
      worker.resume();
      await replica.close();
    }
  });

  it("worker-side transitions reach GitHub too: a timeout, and a cancelled run's waiting job", async () => {
    const { build, test } = await pushRun(sha());
    const attempt = await claim(build.id);
    await until("build in progress", () => checkOf(build.id)?.status === "in_progress");
    // The timer fires (jobs/job-timeouts.ts): the build times out, and the test job behind it is skipped.
    expect(await timeOutJob(db, { tenantId, jobId: build.id, attempt: attempt.attempt }, undefined, () => ({ notify: queues }))).toBe(true);
    await until("build timed out", () => checkOf(build.id)?.conclusion === "timed_out");
    await until("test skipped", () => checkOf(test.id)?.conclusion === "skipped");

    const other = await pushRun(sha());
    await cancelRun(db, ctx, other.run.id, "cancelled by a test", { notify: queues });
    await until("both cancelled", () => checkOf(other.build.id)?.conclusion === "cancelled" && checkOf(other.test.id)?.conclusion === "cancelled");
  });

  it("a re-run resets the same check run to queued under run attempt 2 and completes it; a late report of attempt 1 changes nothing", async () => {
    const after = sha();
    const { run, build, test } = await pushRun(after);
    const buildAttempt = await claim(build.id);
    await complete(build.id, buildAttempt, "SUCCEEDED");
    const first = await claim(test.id);
    await complete(test.id, first, "FAILED", [{ summary: "1 test failed" }]);
    await until("test failed", () => checkOf(test.id)?.conclusion === "failure");
    const checkId = checkOf(test.id)?.id;
    const buildWrites = writesTo(checkOf(build.id)?.id).length;

    const result = await rerun(db, ctx, run.id, { mode: "failed", actor: "dev@example.com" }, { notify: queues });
    expect(result).toMatchObject({ rerun: true, runAttempt: 2 });
    await startRun(db, ctx, run.id, { notify: queues });
    await until("test's check queued again", () => checkOf(test.id)?.status === "queued");
    expect(checkOf(test.id)).toMatchObject({ id: checkId, external_id: `${test.id}:2`, conclusion: null, output: { title: "Re-run (run attempt 2)" } });
    // One check per job name on the commit: the same check run, not a second one.
    expect([...fake.checkRuns.values()].filter((check) => check.head_sha === after && check.name === "CI / test")).toHaveLength(1);

    const second = await claim(test.id);
    await until("test in progress", () => checkOf(test.id)?.status === "in_progress");
    await complete(test.id, second, "SUCCEEDED", [{ summary: "all green now" }]);
    await until("test succeeded", () => checkOf(test.id)?.conclusion === "success");
    expect(checkOf(test.id)).toMatchObject({ id: checkId, external_id: `${test.id}:2`, output: { summary: "all green now" } });
    await until("every report processed", drained);
    expect(writesTo(checkOf(build.id)?.id)).toHaveLength(buildWrites);

    // A report of run attempt 1 that arrives now (read before the re-run) is late: the check stays as attempt 2 left it.
    const installation = await db.system("test").installation.findFirstOrThrow({ where: { tenantId } });
    const reporter = new CheckRunReporter({ apiUrl: github.apiUrl, token: async () => (await github.tokens.get(installation.githubInstallationId)).token, ...(github.fetch ? { fetch: github.fetch } : {}) });
    const late = await reporter.report({ repository: FULL_NAME, headSha: after, jobRunId: test.id, runAttempt: 1, name: "CI / test", status: "FAILED", completedAt: new Date() });
    expect(late).toEqual({ checkRunId: checkId, action: "unchanged" });
    expect(checkOf(test.id)).toMatchObject({ conclusion: "success" });
  });
});
