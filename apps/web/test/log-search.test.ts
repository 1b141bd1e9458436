// Log search through the path a log takes: chunks posted to the real logs route (masked again on ingest), the
// attempt completed through the complete route (which queues its index-attempt-log job), the log indexed by the
// indexer the worker runs, then logs.search through the tRPC chain: masked text only, idempotent indexing, filters,
// paging, highlighting and permalinks, tenant isolation, and index rows gone with their attempt.
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { gzipSync, gunzipSync } from "node:zlib";
import { attemptsToIndex, indexAttemptLog, intake, logChunks, randomId } from "@gantry/db";
import { indexAttemptLogJobId, Queues } from "@gantry/jobs";
import { claimResponse } from "@gantry/runner-protocol";
import { DirectoryObjectStore } from "@gantry/storage";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { POST as claimRoute } from "../src/app/api/runner/v1/claim/route";
import { POST as completeRoute } from "../src/app/api/runner/v1/complete/route";
import { POST as logsRoute } from "../src/app/api/runner/v1/logs/route";
import type { SessionUser } from "../src/server/auth";
import { createCaller } from "../src/server/routers/_app";
import { createTRPCContext } from "../src/server/trpc";
import { closeRunnerTest, post, readyJob, register } from "./runner-support";
import { addMember, DEMO, setupWebTest, stubWebEnv, type WebTestContext } from "./support";

let t: WebTestContext;
const prefix = `gantry-test-${randomBytes(4).toString("hex")}`;
const storage = mkdtempSync(path.join(os.tmpdir(), "gantry-storage-"));
const store = new DirectoryObjectStore(storage);
const masterKey = randomBytes(32);
const admin: SessionUser = { userId: DEMO.userId, email: DEMO.email, name: "Demo Admin" };
const callerFor = (session: SessionUser) => createCaller(createTRPCContext({ session, database: t.database, redis: t.redis, queues: t.queues, masterKey }));
const readText = async (objectKey: string) => gunzipSync(await store.get(objectKey)).toString();
const tenant = { tenant: DEMO.tenantSlug };
const SECRET = "s3cret-v4lue-7a1b2c";
const TOKEN = `needle${randomBytes(4).toString("hex")}`;

/** A job that printed `steps` (one chunk list per step), completed with `conclusion`: its attempt and run. */
async function finishedJob(key: string, steps: string[][], run: { ref?: string } = {}) {
  const { runnerId, credential } = await register(t, `r-${key}`);
  const ready = await readyJob(t, key, {
    ...run,
    steps: steps.map((_, index) => ({ index, if: "success()", run: "./build.sh", env: { TOKEN: "${{ secrets.build_token }}" }, with: {}, continueOnError: false })),
  });
  const assignment = claimResponse.parse(await (await post(claimRoute, credential, { runnerId, waitMs: 0 })).json()).assignment;
  if (!assignment) throw new Error("no assignment");
  let seq = 0;
  for (const [stepIndex, chunks] of steps.entries()) {
    for (const data of chunks) expect((await post(logsRoute, assignment.jobToken, { attemptId: assignment.attemptId, seq: seq++, stepIndex, timestamp: Date.now(), data })).status).toBe(200);
  }
  expect((await post(completeRoute, assignment.jobToken, { attemptId: assignment.attemptId, conclusion: "SUCCEEDED", outputs: {} })).status).toBe(200);
  return { attemptId: assignment.attemptId, runId: ready.runId };
}

beforeAll(async () => {
  t = await setupWebTest();
  stubWebEnv({ ...t.env, GANTRY_QUEUE_PREFIX: prefix, GANTRY_STORAGE_DIR: storage, GANTRY_MASTER_KEY: masterKey.toString("base64") });
  await callerFor(admin).secrets.set({ ...tenant, scope: { kind: "tenant" }, name: "BUILD_TOKEN", value: SECRET });
});
afterAll(async () => {
  await closeRunnerTest(t, prefix);
  rmSync(storage, { recursive: true, force: true });
});

describe("indexing an ended attempt's log", () => {
  it("the complete route queues the attempt's index job; the index holds the stored, masked text, numbered per step", async () => {
    const job = await finishedJob("index", [
      ["npm ci\nadded 312 packages", ` in 4s\ntoken is ${SECRET}\n`],
      ["\u001b[31mError:\u001b[0m cannot reach db\n\nFAIL src/db.test.ts\n"],
    ]);
    const queued = await new Queues(t.redis, prefix).queue("gantry-log-index").getJob(indexAttemptLogJobId(job.attemptId));
    expect(queued?.data).toEqual({ tenantId: DEMO.tenantId, attemptId: job.attemptId });

    expect(await indexAttemptLog(t.database, DEMO.tenantId, job.attemptId, readText)).toEqual({ outcome: "indexed", lines: 5, inserted: 5 });
    const rows = await t.database.system("test").logLine.findMany({ where: { attemptId: job.attemptId }, orderBy: [{ stepIndex: "asc" }, { lineNumber: "asc" }] });
    expect(rows.map((row) => [row.stepIndex, row.lineNumber, row.text])).toEqual([
      [0, 1, "npm ci"],
      [0, 2, "added 312 packages in 4s"],
      [0, 3, "token is ***"],
      [1, 1, "Error: cannot reach db"],
      [1, 3, "FAIL src/db.test.ts"],
    ]);
    expect(rows.map((row) => row.text).join("\n")).not.toContain(SECRET);
    expect((await callerFor(admin).logs.search({ ...tenant, query: SECRET })).hits).toEqual([]);
  });

  it("is idempotent: a second delivery finds it done; a lost state row still inserts nothing twice", async () => {
    const job = await finishedJob("twice", [[`${TOKEN}-twice once\n`]]);
    expect(await indexAttemptLog(t.database, DEMO.tenantId, job.attemptId, readText)).toMatchObject({ outcome: "indexed", inserted: 1 });
    expect(await indexAttemptLog(t.database, DEMO.tenantId, job.attemptId, readText)).toEqual({ outcome: "already" });
    await t.database.system("test").logIndexState.delete({ where: { attemptId: job.attemptId } });
    // Two deliveries at once: together they store each line once.
    const both = await Promise.all([indexAttemptLog(t.database, DEMO.tenantId, job.attemptId, readText), indexAttemptLog(t.database, DEMO.tenantId, job.attemptId, readText)]);
    expect(both.map((result) => (result.outcome === "indexed" ? result.inserted : 0))).toEqual([0, 0]);
    expect(await t.database.system("test").logLine.count({ where: { attemptId: job.attemptId } })).toBe(1);
  });

  it("a live attempt waits; the catch-up finds ended attempts not indexed yet", async () => {
    const { runnerId, credential } = await register(t, "r-live");
    await readyJob(t, "live");
    const assignment = claimResponse.parse(await (await post(claimRoute, credential, { runnerId, waitMs: 0 })).json()).assignment;
    if (!assignment) throw new Error("no assignment");
    await post(logsRoute, assignment.jobToken, { attemptId: assignment.attemptId, seq: 0, stepIndex: 0, timestamp: Date.now(), data: "still going\n" });
    expect(await indexAttemptLog(t.database, DEMO.tenantId, assignment.attemptId, readText)).toEqual({ outcome: "not-ended" });
    expect((await attemptsToIndex(t.database, 100)).map((row) => row.attemptId)).not.toContain(assignment.attemptId);
    await post(completeRoute, assignment.jobToken, { attemptId: assignment.attemptId, conclusion: "FAILED", outputs: {} });
    expect(await attemptsToIndex(t.database, 100)).toContainEqual({ tenantId: DEMO.tenantId, attemptId: assignment.attemptId });
    await indexAttemptLog(t.database, DEMO.tenantId, assignment.attemptId, readText);
    expect((await attemptsToIndex(t.database, 100)).map((row) => row.attemptId)).not.toContain(assignment.attemptId);
  });
});

describe("logs.search", () => {
  let main: { attemptId: string; runId: string };
  let feature: { attemptId: string; runId: string };
  beforeAll(async () => {
    main = await finishedJob("build", [["setup\n"], [`compile ${TOKEN} <b>&amp;</b> ok\n`, ...Array.from({ length: 4 }, (_, index) => `${TOKEN} page line ${index}\n`)]]);
    feature = await finishedJob("test", [[`test ${TOKEN} "exit code 1" in feature\n`]], { ref: "refs/heads/feature/x" });
    for (const job of [main, feature]) await indexAttemptLog(t.database, DEMO.tenantId, job.attemptId, readText);
  });

  it("finds every line with all the words, newest first, with where it is, the terms marked (escaped) and the line's permalink", async () => {
    const result = await callerFor(admin).logs.search({ ...tenant, query: `${TOKEN.toUpperCase()} compile` });
    expect(result.hits).toEqual([
      expect.objectContaining({
        runId: main.runId,
        runNumber: expect.any(Number),
        workflowName: "CI",
        workflowPath: ".gantry/workflows/ci.yml",
        ref: "refs/heads/main",
        repository: DEMO.repositoryName,
        jobKey: "build",
        attempt: 1,
        step: 2,
        line: 1,
        text: `compile ${TOKEN} <b>&amp;</b> ok`,
        html: `<mark>compile</mark> <mark>${TOKEN}</mark> &lt;b&gt;&amp;amp;&lt;/b&gt; ok`,
        href: `/t/${DEMO.tenantSlug}/runs/${main.runId}/jobs/build#step-2-line-1`,
      }),
    ]);
    const phrase = await callerFor(admin).logs.search({ ...tenant, query: `"exit code 1" ${TOKEN}` });
    expect(phrase.hits.map((hit) => hit.jobKey)).toEqual(["test"]);
    expect((await callerFor(admin).logs.search({ ...tenant, query: `"code exit" ${TOKEN}` })).hits).toEqual([]);
  });

  it("narrows by repository, branch, workflow, job and date", async () => {
    const keys = async (filters: Record<string, string>) => (await callerFor(admin).logs.search({ ...tenant, query: TOKEN, limit: 100, ...filters })).hits.map((hit) => hit.jobKey);
    expect(new Set(await keys({}))).toEqual(new Set(["build", "test", "twice"]));
    expect(await keys({ branch: "feature/x" })).toEqual(["test"]);
    expect(new Set(await keys({ branch: "main" }))).toEqual(new Set(["build", "twice"]));
    expect(await keys({ job: "test" })).toEqual(["test"]);
    expect((await keys({ workflow: "ci" })).length).toBe(7);
    expect(await keys({ workflow: "deploy" })).toEqual([]);
    expect((await keys({ repository: DEMO.repositoryName })).length).toBe(7);
    expect(await keys({ repository: "nobody/else" })).toEqual([]);
    const today = new Date().toISOString().slice(0, 10);
    expect((await keys({ from: today, to: today })).length).toBe(7);
    expect(await keys({ to: "2020-01-01" })).toEqual([]);
    expect(await keys({ from: "2999-01-01" })).toEqual([]);
  });

  it("pages by cursor without repeats, and refuses what it cannot search", async () => {
    const caller = callerFor(admin);
    const seen: string[] = [];
    let cursor: string | undefined;
    for (let page = 0; page < 10; page++) {
      const result = await caller.logs.search({ ...tenant, query: `${TOKEN} page`, limit: 3, ...(cursor ? { cursor } : {}) });
      seen.push(...result.hits.map((hit) => hit.text));
      if (!result.nextCursor) break;
      cursor = result.nextCursor;
    }
    expect(seen).toEqual([3, 2, 1, 0].map((index) => `${TOKEN} page line ${index}`));
    await expect(caller.logs.search({ ...tenant, query: "ab" })).rejects.toMatchObject({ code: "BAD_REQUEST", message: expect.stringContaining("at least 3 characters") });
    await expect(caller.logs.search({ ...tenant, query: TOKEN, from: "yesterday" })).rejects.toMatchObject({ code: "BAD_REQUEST" });
    await expect(caller.logs.search({ ...tenant, query: TOKEN, cursor: "0" })).rejects.toMatchObject({ code: "BAD_REQUEST" });
  });

  it("never shows another tenant's lines, and refuses a non-member", async () => {
    const sys = t.database.system("test: another tenant");
    const other = { tenantId: randomId("ten"), actor: { kind: "SYSTEM" as const } };
    await sys.tenant.create({ data: { id: other.tenantId, slug: "other-logs", name: "Other" } });
    const repositoryId = randomId("repo");
    await sys.repository.create({ data: { id: repositoryId, tenantId: other.tenantId, fullName: "other/app" } });
    // The other tenant's ended attempt with a log of the same token, indexed by the same code.
    const run = await intake.createRun(sys, other, {
      repositoryId,
      idempotencyKey: randomId("idem"),
      workflowPath: ".gantry/workflows/ci.yml",
      workflowName: "CI",
      event: "push",
      ref: "refs/heads/main",
      sha: "c".repeat(40),
      trusted: true,
      plan: { jobs: [{ key: "build", jobId: "build", name: "build", needs: [], runsOn: ["x"], timeoutMinutes: 1, continueOnError: false, retry: { maxAttempts: 1 }, env: {}, outputs: {}, steps: [] }] },
    });
    const attemptId = randomId("att");
    await sys.jobAttempt.create({ data: { id: attemptId, tenantId: other.tenantId, jobRunId: run.rootJobIds[0] ?? "", number: 1, status: "SUCCEEDED", leaseExpiresAt: new Date() } });
    const objectKey = `logs/${other.tenantId}/${attemptId}/0.log.gz`;
    await store.put(objectKey, gzipSync(`other tenant ${TOKEN}\n`));
    await logChunks.insertChunks(t.database.sql("test"), other.tenantId, attemptId, [{ seq: 0, stepIndex: 0, byteOffset: 0, byteLength: 10, sha256: "0".repeat(64), objectKey }]);
    expect(await indexAttemptLog(t.database, other.tenantId, attemptId, readText)).toMatchObject({ outcome: "indexed", lines: 1 });

    const otherAdmin = await addMember(t.database, "ADMIN", { tenantId: other.tenantId });
    expect((await callerFor(otherAdmin).logs.search({ tenant: "other-logs", query: TOKEN })).hits.map((hit) => hit.text)).toEqual([`other tenant ${TOKEN}`]);
    expect((await callerFor(admin).logs.search({ ...tenant, query: `other tenant ${TOKEN}` })).hits).toEqual([]);
    await expect(callerFor(otherAdmin).logs.search({ ...tenant, query: TOKEN })).rejects.toMatchObject({ code: "FORBIDDEN" });
  });

  it("drops a log's index rows with its attempt (retention, a deleted run)", async () => {
    expect(await t.database.system("test").logLine.count({ where: { attemptId: feature.attemptId } })).toBe(1);
    await t.database.system("test: retention").workflowRun.delete({ where: { id: feature.runId } });
    expect(await t.database.system("test").logLine.count({ where: { attemptId: feature.attemptId } })).toBe(0);
    expect(await t.database.system("test").logIndexState.count({ where: { attemptId: feature.attemptId } })).toBe(0);
    expect((await callerFor(admin).logs.search({ ...tenant, query: `${TOKEN} feature` })).hits).toEqual([]);
  });
});
