// Check runs against the fake GitHub server: one per job, queued → in_progress → completed, never backwards.
import { createPrivateKey, randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CheckRunReporter, checkExternalId, checkRunState, InstallationTokens, GithubApiError, parseCheckExternalId } from "../src/index";
import { FakeGithub } from "../src/testing/index";

let fake: FakeGithub;
let reporter: CheckRunReporter;
// When each request left, by `METHOD path`: the gaps show the waits the client took between tries.
const sent: { call: string; at: number }[] = [];
const recordingFetch: typeof fetch = (input, init) => {
  const url = new URL(input instanceof Request ? input.url : String(input));
  sent.push({ call: `${init?.method ?? "GET"} ${url.pathname}`, at: performance.now() });
  return fetch(input, init);
};
// One second of Retry-After lasts 10 ms here, and plugin-retry's 5xx backoff starts at 10 ms.
const SECOND_MS = 10;
const INSTALLATION = 11;
const sha = randomBytes(20).toString("hex");

beforeAll(async () => {
  fake = new FakeGithub();
  await fake.start();
  fake.addInstallation(INSTALLATION);
  fake.addCommit("octo/app", INSTALLATION, sha, { "README.md": "hi" });
  const tokens = new InstallationTokens({ appId: fake.appId, privateKey: createPrivateKey(fake.privateKeyPem), apiUrl: fake.url });
  reporter = new CheckRunReporter({
    apiUrl: fake.url,
    token: async () => (await tokens.get(INSTALLATION)).token,
    retry: { attempts: 3, baseMs: SECOND_MS, secondMs: SECOND_MS },
    fetch: recordingFetch,
  });
});
afterAll(() => fake?.stop());

const job = (jobRunId: string, status: Parameters<typeof checkRunState>[0]) => ({
  repository: "octo/app",
  headSha: sha,
  jobRunId,
  name: `CI / ${jobRunId}`,
  status,
  startedAt: new Date("2026-01-01T00:00:00Z"),
  completedAt: new Date("2026-01-01T00:01:00Z"),
});

describe("check runs", () => {
  it("maps every job status", () => {
    expect(checkRunState("WAITING")).toEqual({ status: "queued" });
    expect(checkRunState("RUNNING")).toEqual({ status: "in_progress" });
    expect(checkRunState("FAILED")).toEqual({ status: "completed", conclusion: "failure" });
    expect(checkRunState("CANCELED")).toEqual({ status: "completed", conclusion: "cancelled" });
  });

  it("creates one check run per job and moves it queued → in_progress → completed", async () => {
    expect(await reporter.report(job("build", "QUEUED"))).toMatchObject({ action: "created" });
    expect(await reporter.report(job("build", "RUNNING"))).toMatchObject({ action: "updated" });
    const done = await reporter.report({ ...job("build", "SUCCEEDED"), output: { title: "build", summary: "all good" } });
    expect(done.action).toBe("updated");
    const runs = [...fake.checkRuns.values()].filter((run) => run.external_id === "build");
    expect(runs).toHaveLength(1);
    expect(runs[0]).toMatchObject({ name: "CI / build", head_sha: sha, status: "completed", conclusion: "success", started_at: "2026-01-01T00:00:00Z", completed_at: "2026-01-01T00:01:00Z", output: { summary: "all good" } });
    const writes = fake.callsTo(/^(POST|PATCH) \/repos\/octo\/app\/check-runs/).map((call) => [call.method, (call.body as { status?: string }).status]);
    expect(writes).toEqual([
      ["POST", "queued"],
      ["PATCH", "in_progress"],
      ["PATCH", "completed"],
    ]);
  });

  it("a late or repeated report is a no-op, never a regression; reports for one job apply in order", async () => {
    const reports = await Promise.all([reporter.report(job("test", "QUEUED")), reporter.report(job("test", "RUNNING")), reporter.report(job("test", "FAILED")), reporter.report(job("test", "RUNNING")), reporter.report(job("test", "FAILED"))]);
    expect(reports.map((report) => report.action)).toEqual(["created", "updated", "updated", "unchanged", "unchanged"]);
    const runs = [...fake.checkRuns.values()].filter((run) => run.external_id === "test");
    expect(runs).toHaveLength(1);
    expect(runs[0]).toMatchObject({ status: "completed", conclusion: "failure" });
  });

  it("a re-run resets the same check run for the new run attempt; reports of the earlier attempt change nothing after", async () => {
    expect(checkExternalId("job_a")).toBe("job_a");
    expect(checkExternalId("job_a", 3)).toBe("job_a:3");
    expect(parseCheckExternalId("job_a:3")).toEqual({ id: "job_a", runAttempt: 3 });
    expect(parseCheckExternalId("run_b")).toEqual({ id: "run_b", runAttempt: 1 });
    const first = await reporter.report({ ...job("rerun", "FAILED"), output: { title: "Failed", summary: "exit 1" } });
    const reset = await reporter.report({ ...job("rerun", "QUEUED"), runAttempt: 2 });
    expect(reset).toEqual({ checkRunId: first.checkRunId, action: "updated" });
    expect(fake.checkRuns.get(first.checkRunId)).toMatchObject({ status: "queued", conclusion: null, external_id: "rerun:2", output: { title: "Re-run (run attempt 2)" } });
    expect(await reporter.report(job("rerun", "FAILED"))).toEqual({ checkRunId: first.checkRunId, action: "unchanged" });
    expect(await reporter.report({ ...job("rerun", "SUCCEEDED"), runAttempt: 2 })).toEqual({ checkRunId: first.checkRunId, action: "updated" });
    expect(fake.checkRuns.get(first.checkRunId)).toMatchObject({ status: "completed", conclusion: "success" });
    expect([...fake.checkRuns.values()].filter((check) => check.name === "CI / rerun")).toHaveLength(1);
  });

  it("retries 5xx and rate limits with backoff, honouring Retry-After; gives up after its attempts", async () => {
    sent.length = 0;
    fake.failNext(/^POST \/repos\/octo\/app\/check-runs$/, 502);
    fake.failNext(/^POST \/repos\/octo\/app\/check-runs$/, 403, { headers: { "retry-after": "7" }, message: "You have exceeded a secondary rate limit." });
    expect(await reporter.report(job("lint", "QUEUED"))).toMatchObject({ action: "created" });
    const posts = sent.filter((request) => request.call === "POST /repos/octo/app/check-runs").map((request) => request.at);
    expect(posts).toHaveLength(3);
    // plugin-retry waited its backoff after the 502; the throttling plugin waited the 7 "seconds" GitHub asked for.
    expect(posts[1]! - posts[0]!).toBeGreaterThanOrEqual(SECOND_MS - 1);
    expect(posts[2]! - posts[1]!).toBeGreaterThanOrEqual(7 * SECOND_MS - 1);

    fake.failNext(/^PATCH \/repos\/octo\/app\/check-runs\/\d+$/, 500, { times: 3 });
    await expect(reporter.report(job("lint", "RUNNING"))).rejects.toMatchObject({ status: 500 });
    fake.failNext(/^PATCH /, 422, { message: "Validation Failed" });
    sent.length = 0;
    await expect(reporter.report(job("lint", "RUNNING"))).rejects.toMatchObject({ status: 422 });
    // A 422 is not retried.
    expect(sent.filter((request) => request.call.startsWith("PATCH "))).toHaveLength(1);
    expect(await reporter.report(job("lint", "RUNNING"))).toMatchObject({ action: "updated" });
  });

  it("a repository the installation cannot reach is a GitHub 404", async () => {
    await expect(reporter.report({ ...job("x", "QUEUED"), repository: "octo/other" })).rejects.toBeInstanceOf(GithubApiError);
  });
});
