// The logs and step routes through their exported route functions, against a real database, Redis and a real
// object store directory: idempotency by (attempt, seq), ordering, the per-job cap, the live stream, StepRun
// upserts through the state machine, and a lost attempt's late messages refused.
import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { gunzipSync } from "node:zlib";
import { liveLogStreamKey, transitions } from "@gantry/db";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { POST as logsRoute } from "../src/app/api/runner/v1/logs/route";
import { POST as stepRoute } from "../src/app/api/runner/v1/step/route";
import { readAttemptLog } from "../src/server/logs/read-attempt-log";
import { createCaller } from "../src/server/routers/_app";
import { getServices } from "../src/server/services";
import { DirectoryObjectStore } from "@gantry/storage";
import { createTRPCContext } from "../src/server/trpc";
import { claimedJob, closeRunnerTest, demo, post, register } from "./runner-support";
import { DEMO, setupWebTest, stubWebEnv, type WebTestContext } from "./support";

let t: WebTestContext;
const prefix = `gantry-test-${Math.random().toString(16).slice(2, 10)}`;
const storage = mkdtempSync(path.join(os.tmpdir(), "gantry-storage-"));
const CAP = 2048;
const ORDER_WAIT_MS = 400;

beforeAll(async () => {
  t = await setupWebTest();
  stubWebEnv({ ...t.env, GANTRY_QUEUE_PREFIX: prefix, GANTRY_STORAGE_DIR: storage, GANTRY_LOG_MAX_JOB_BYTES: String(CAP), GANTRY_LOG_ORDER_WAIT_MS: String(ORDER_WAIT_MS) });
});
afterAll(async () => {
  await closeRunnerTest(t, prefix);
  rmSync(storage, { recursive: true, force: true });
});

const chunk = (attemptId: string, seq: number, data: string, stepIndex = 0) => ({ attemptId, seq, stepIndex, timestamp: 1_764_000_000_000 + seq, data });

describe("POST /api/runner/v1/logs", () => {
  it("register tells the runner its pool's sandbox provider, egress and allowlist", async () => {
    expect((await register(t, "r-sandbox")).sandbox).toEqual({ provider: "process", egress: "none", allowlist: [] });
    const pools = t.database.system("test: the demo pool's egress").runnerPool;
    await pools.update({ where: { id: DEMO.poolId }, data: { egress: "ALLOWLIST", egressAllowlist: ["registry.npmjs.org", "10.1.0.0/16"] } });
    try {
      expect((await register(t, "r-sandbox-allowlist")).sandbox).toEqual({ provider: "process", egress: "allowlist", allowlist: ["registry.npmjs.org", "10.1.0.0/16"] });
    } finally {
      await pools.update({ where: { id: DEMO.poolId }, data: { egress: "NONE", egressAllowlist: [] } });
    }
  });

  it("stores ordered chunks once: a repeated seq is OK and stores nothing, another body for it is a 409, a gap is a 503 after a wait", async () => {
    const { assignment, jobId } = await claimedJob(t, "logs");
    const token = assignment.jobToken;
    const first = await post(logsRoute, token, chunk(assignment.attemptId, 0, "line one \u001b[32mgreen\u001b[0m\n"));
    expect([first.status, await first.json()]).toEqual([200, { stored: true, truncated: false }]);
    const again = await post(logsRoute, token, chunk(assignment.attemptId, 0, "line one \u001b[32mgreen\u001b[0m\n"));
    expect([again.status, await again.json()]).toEqual([200, { stored: false, truncated: false }]);
    const conflict = await post(logsRoute, token, chunk(assignment.attemptId, 0, "something else\n"));
    expect([conflict.status, (await conflict.json()).code]).toEqual([409, "seq_conflict"]);
    // A chunk whose predecessor never comes waits for it, then is asked to come again (the runner retries a 503).
    const waited = Date.now();
    const gap = await post(logsRoute, token, chunk(assignment.attemptId, 2, "too early\n"));
    expect([gap.status, await gap.json()]).toEqual([503, expect.objectContaining({ code: "seq_pending", expectedSeq: 1 })]);
    expect(Date.now() - waited).toBeGreaterThanOrEqual(ORDER_WAIT_MS);
    expect((await post(logsRoute, token, chunk(assignment.attemptId, 1, "line two\n", 1))).status).toBe(200);
    expect((await post(logsRoute, "gjt_not_the_token_not_the_token", chunk(assignment.attemptId, 2, "x\n"))).status).toBe(401);

    const rows = await t.database.system("test").logChunk.findMany({ where: { attemptId: assignment.attemptId }, orderBy: { seq: "asc" } });
    expect(rows.map((row) => [row.seq, row.stepIndex, Number(row.byteOffset), row.byteLength])).toEqual([
      [0, 0, 0, 24],
      [1, 1, 24, 9],
    ]);
    // One object per stored chunk (the conflicting body left none behind), gzip of the bytes as sent, ANSI intact.
    const store = new DirectoryObjectStore(storage);
    expect(readdirSync(path.join(storage, "logs", demo.tenantId, assignment.attemptId))).toHaveLength(2);
    expect(gunzipSync(await store.get(rows[0]?.objectKey ?? "")).toString()).toBe("line one \u001b[32mgreen\u001b[0m\n");
    const log = await readAttemptLog(t.database.forTenant(demo), store, assignment.attemptId);
    expect(log.chunks.map((c) => c.text).join("")).toBe("line one \u001b[32mgreen\u001b[0m\nline two\n");
    expect((await readAttemptLog(t.database.forTenant(demo), store, assignment.attemptId, 1)).chunks.map((c) => c.seq)).toEqual([1]);

    // The live view: the job's Redis Stream, one entry per stored chunk; it expires an hour after its last entry.
    const entries = await t.redis.xrange(liveLogStreamKey(prefix, demo.tenantId, jobId), "-", "+");
    const ttl = await t.redis.ttl(liveLogStreamKey(prefix, demo.tenantId, jobId));
    expect(ttl).toBeGreaterThan(3_500);
    expect(ttl).toBeLessThanOrEqual(3_600);
    expect(entries.map(([, fields]) => fields.slice(2, 4).concat(fields.slice(8, 10)))).toEqual([
      ["seq", "0", "data", "line one \u001b[32mgreen\u001b[0m\n"],
      ["seq", "1", "data", "line two\n"],
    ]);
  });

  it("stores a batch that arrived before its predecessor once the predecessor is stored, in order and at the right offsets", async () => {
    const { assignment } = await claimedJob(t, "logs-pipelined");
    const { attemptId, jobToken } = assignment;
    const batch = (chunks: ReturnType<typeof chunk>[]) => ({ attemptId, chunks: chunks.map(({ attemptId: _attempt, ...rest }) => rest) });
    expect((await post(logsRoute, jobToken, chunk(attemptId, 0, "zero\n"))).status).toBe(200);
    // Two requests in flight: the second (seqs 3–4) reaches the route first.
    const second = post(logsRoute, jobToken, batch([chunk(attemptId, 3, "three\n"), chunk(attemptId, 4, "four\n")]));
    await new Promise((resolve) => setTimeout(resolve, 50));
    const first = await post(logsRoute, jobToken, batch([chunk(attemptId, 1, "one\n"), chunk(attemptId, 2, "two\n")]));
    expect([first.status, (await second).status]).toEqual([200, 200]);
    const rows = await t.database.system("test").logChunk.findMany({ where: { attemptId }, orderBy: { seq: "asc" } });
    expect(rows.map((row) => [row.seq, Number(row.byteOffset), row.byteLength])).toEqual([
      [0, 0, 5],
      [1, 5, 4],
      [2, 9, 4],
      [3, 13, 6],
      [4, 19, 5],
    ]);
    const log = await readAttemptLog(t.database.forTenant(demo), new DirectoryObjectStore(storage), attemptId);
    expect(log.chunks.map((c) => c.text).join("")).toBe("zero\none\ntwo\nthree\nfour\n");
  });

  it("cuts a job's log at the cap with a marker line and acknowledges later chunks without storing them", async () => {
    const { assignment } = await claimedJob(t, "chatty");
    const line = `${"x".repeat(99)}\n`;
    expect(await (await post(logsRoute, assignment.jobToken, chunk(assignment.attemptId, 0, line.repeat(15)))).json()).toEqual({ stored: true, truncated: false });
    expect(await (await post(logsRoute, assignment.jobToken, chunk(assignment.attemptId, 1, line.repeat(15)))).json()).toEqual({ stored: true, truncated: true });
    expect(await (await post(logsRoute, assignment.jobToken, chunk(assignment.attemptId, 2, line))).json()).toEqual({ stored: false, truncated: true });
    const text = (await readAttemptLog(t.database.forTenant(demo), new DirectoryObjectStore(storage), assignment.attemptId)).chunks.map((c) => c.text).join("");
    expect(text.endsWith(`\n##[gantry] log truncated: the job printed more than ${CAP} bytes; further output is discarded\n`)).toBe(true);
    expect(text.startsWith(line.repeat(20))).toBe(true);
  });

  it("stores a batch of consecutive chunks in one request; a retried batch stores only what it had not, a changed one is a 409, one after a gap a 503", async () => {
    const { assignment, jobId } = await claimedJob(t, "batched");
    const { attemptId, jobToken } = assignment;
    const batch = (chunks: ReturnType<typeof chunk>[]) => ({ attemptId, chunks: chunks.map(({ attemptId: _attempt, ...rest }) => rest) });
    const c = (seq: number, data: string) => chunk(attemptId, seq, data, seq < 2 ? 0 : 1);
    expect(await (await post(logsRoute, jobToken, batch([c(0, "zero\n"), c(1, "one\n")]))).json()).toEqual({ stored: true, truncated: false });
    // The runner did not hear the answer and sends the batch again with what queued up since: 0 and 1 are skipped.
    expect(await (await post(logsRoute, jobToken, batch([c(0, "zero\n"), c(1, "one\n"), c(2, "two\n"), c(3, "three\n")]))).json()).toEqual({ stored: true, truncated: false });
    expect(await (await post(logsRoute, jobToken, batch([c(2, "two\n"), c(3, "three\n")]))).json()).toEqual({ stored: false, truncated: false });
    const changed = await post(logsRoute, jobToken, batch([c(3, "THREE\n"), c(4, "four\n")]));
    expect([changed.status, (await changed.json()).code]).toEqual([409, "seq_conflict"]);
    const gap = await post(logsRoute, jobToken, batch([c(5, "five\n"), c(6, "six\n")]));
    expect([gap.status, await gap.json()]).toEqual([503, expect.objectContaining({ code: "seq_pending", expectedSeq: 4 })]);
    // Not consecutive, empty, or over the batch limit: refused as the wrong shape, nothing stored.
    for (const body of [batch([c(4, "four\n"), c(6, "six\n")]), { attemptId, chunks: [] }, batch(Array.from({ length: 33 }, (_, i) => c(4 + i, "x\n")))]) {
      const refused = await post(logsRoute, jobToken, body);
      expect([refused.status, (await refused.json()).code]).toEqual([400, "invalid_body"]);
    }

    const rows = await t.database.system("test").logChunk.findMany({ where: { attemptId }, orderBy: { seq: "asc" } });
    expect(rows.map((row) => [row.seq, row.stepIndex, Number(row.byteOffset), row.byteLength])).toEqual([
      [0, 0, 0, 5],
      [1, 0, 5, 4],
      [2, 1, 9, 4],
      [3, 1, 13, 6],
    ]);
    const log = await readAttemptLog(t.database.forTenant(demo), new DirectoryObjectStore(storage), attemptId);
    expect(log.chunks.map((chunk) => chunk.text).join("")).toBe("zero\none\ntwo\nthree\n");
    const entries = await t.redis.xrange(liveLogStreamKey(prefix, demo.tenantId, jobId), "-", "+");
    expect(entries.map(([, fields]) => fields[3])).toEqual(["0", "1", "2", "3"]);
  });

  it("cuts a batch at the job cap: the chunk that crosses it ends with the marker, the chunks after it are dropped", async () => {
    const { assignment } = await claimedJob(t, "chatty-batch");
    const line = `${"y".repeat(99)}\n`;
    const chunks = [0, 1, 2].map((seq) => ({ seq, stepIndex: 0, timestamp: 1_764_000_000_000, data: line.repeat(15) }));
    expect(await (await post(logsRoute, assignment.jobToken, { attemptId: assignment.attemptId, chunks })).json()).toEqual({ stored: true, truncated: true });
    const rows = await t.database.system("test").logChunk.findMany({ where: { attemptId: assignment.attemptId }, orderBy: { seq: "asc" } });
    expect(rows.map((row) => row.seq)).toEqual([0, 1]);
    const text = (await readAttemptLog(t.database.forTenant(demo), new DirectoryObjectStore(storage), assignment.attemptId)).chunks.map((c) => c.text).join("");
    expect(text).toBe(`${line.repeat(20)}${"y".repeat(48)}\n##[gantry] log truncated: the job printed more than ${CAP} bytes; further output is discarded\n`);
  });

  it("refuses a body over the limit by its declared length, before reading it", async () => {
    const { assignment } = await claimedJob(t, "huge");
    const request = new Request("http://127.0.0.1/api/runner/v1/logs", {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${assignment.jobToken}`, "content-length": String(64 * 1024 * 1024) },
      body: "{}",
    });
    const response = await logsRoute(request);
    expect([response.status, (await response.json()).code]).toEqual([413, "too_large"]);
  });

  it("refuses a new chunk and a step report of a lost attempt, and still answers a retry of a stored chunk", async () => {
    const { assignment, jobId } = await claimedJob(t, "lost");
    expect((await post(logsRoute, assignment.jobToken, chunk(assignment.attemptId, 0, "before\n"))).status).toBe(200);
    const sys = t.database.system("test");
    await sys.$executeRaw`UPDATE "JobAttempt" SET "leaseExpiresAt" = now() - interval '1 second' WHERE id = ${assignment.attemptId}`;
    expect((await post(logsRoute, assignment.jobToken, chunk(assignment.attemptId, 1, "late\n"))).status).toBe(409);
    expect((await transitions.markAttemptLost(sys, demo, assignment.attemptId)).changed).toBe(true);
    const late = await post(logsRoute, assignment.jobToken, chunk(assignment.attemptId, 1, "late\n"));
    expect([late.status, (await late.json()).code]).toEqual([409, "attempt_lost"]);
    const step = await post(stepRoute, assignment.jobToken, { attemptId: assignment.attemptId, index: 0, name: "late", status: "SUCCEEDED", finishedAt: Date.now() });
    expect([step.status, (await step.json()).code]).toEqual([409, "attempt_lost"]);
    expect(await sys.stepRun.count({ where: { attemptId: assignment.attemptId } })).toBe(0);
    expect((await post(logsRoute, assignment.jobToken, chunk(assignment.attemptId, 0, "before\n"))).status).toBe(200);
    expect(await sys.logChunk.count({ where: { attempt: { jobRunId: jobId } } })).toBe(1);
  });
});

describe("POST /api/runner/v1/step", () => {
  it("upserts a step by (attempt, index): start, finish with outputs/summary/annotations, duplicates and late starts change nothing", async () => {
    const { assignment } = await claimedJob(t, "steps");
    const base = { attemptId: assignment.attemptId, index: 0, stepId: "s", name: "Build" };
    const started = Date.UTC(2026, 10, 28, 12, 0, 0);
    expect(await (await post(stepRoute, assignment.jobToken, { ...base, status: "RUNNING", startedAt: started })).json()).toEqual({ applied: true });
    expect(await (await post(stepRoute, assignment.jobToken, { ...base, status: "RUNNING", startedAt: started })).json()).toEqual({ applied: false });
    const finish = {
      ...base,
      status: "FAILED",
      startedAt: started,
      finishedAt: started + 1500,
      outputs: { v: "42" },
      summary: "## Result\n\nok",
      annotations: [{ level: "error", message: "bad thing", file: "src/a.ts", line: 3, col: 7 }],
    };
    expect(await (await post(stepRoute, assignment.jobToken, finish)).json()).toEqual({ applied: true });
    expect(await (await post(stepRoute, assignment.jobToken, { ...finish, status: "SUCCEEDED" })).json()).toEqual({ applied: false });
    expect(await (await post(stepRoute, assignment.jobToken, { ...base, status: "RUNNING", startedAt: started + 5000 })).json()).toEqual({ applied: false });
    // A step skipped by its `if` is reported only when it finishes.
    expect(await (await post(stepRoute, assignment.jobToken, { ...base, index: 1, stepId: undefined, name: "Deploy", status: "SKIPPED", finishedAt: started + 1600 })).json()).toEqual({ applied: true });

    const rows = await t.database.system("test").stepRun.findMany({ where: { attemptId: assignment.attemptId }, orderBy: { index: "asc" } });
    expect(rows.map((row) => ({ index: row.index, stepId: row.stepId, name: row.name, status: row.status, outputs: row.outputs, summary: row.summary, annotations: row.annotations }))).toEqual([
      { index: 0, stepId: "s", name: "Build", status: "FAILED", outputs: { v: "42" }, summary: "## Result\n\nok", annotations: [{ level: "error", message: "bad thing", file: "src/a.ts", line: 3, col: 7 }] },
      { index: 1, stepId: null, name: "Deploy", status: "SKIPPED", outputs: {}, summary: null, annotations: [] },
    ]);
    expect([rows[0]?.startedAt?.getTime(), rows[0]?.finishedAt?.getTime()]).toEqual([started, started + 1500]);
    const history = await t.database.system("test").stateTransition.findMany({ where: { entity: "StepRun", entityId: rows[0]?.id ?? "" }, orderBy: { id: "asc" } });
    expect(history.map((row) => `${row.fromStatus}→${row.toStatus}`)).toEqual(["QUEUED→RUNNING", "RUNNING→FAILED"]);
    const invalid = await post(stepRoute, assignment.jobToken, { ...base, status: "DONE" });
    expect([invalid.status, (await invalid.json()).code]).toEqual([400, "invalid_body"]);
  });
});

describe("runs.logs", () => {
  it("gives a member the latest attempt's steps and its log in order, from a seq on; an unknown run or job is NOT_FOUND", async () => {
    const { assignment, runId } = await claimedJob(t, "read");
    for (const [seq, data] of ["one\n", "two\n", "three\n"].entries()) expect((await post(logsRoute, assignment.jobToken, chunk(assignment.attemptId, seq, data))).status).toBe(200);
    await post(stepRoute, assignment.jobToken, { attemptId: assignment.attemptId, index: 0, stepId: "s", name: "Echo", status: "SUCCEEDED", finishedAt: Date.now(), summary: "# Done", annotations: [{ level: "warning", message: "careful" }] });
    const services = getServices();
    const caller = createCaller(createTRPCContext({ session: { userId: DEMO.userId, email: DEMO.email, name: "Demo Admin" }, database: t.database, redis: t.redis, queues: services.queues }));
    const read = await caller.runs.logs({ tenant: DEMO.tenantSlug, runId, jobKey: "read" });
    expect(read).toMatchObject({ attempt: 1, text: "one\ntwo\nthree\n", nextSeq: 3, steps: [{ index: 0, name: "Echo", status: "SUCCEEDED", summary: "# Done", annotations: [{ level: "warning", message: "careful" }] }] });
    expect((await caller.runs.logs({ tenant: DEMO.tenantSlug, runId, jobKey: "read", fromSeq: 2 })).text).toBe("three\n");
    await expect(caller.runs.logs({ tenant: DEMO.tenantSlug, runId, jobKey: "nope" })).rejects.toMatchObject({ code: "NOT_FOUND" });
    await expect(caller.runs.logs({ tenant: DEMO.tenantSlug, runId: "run_elsewhere", jobKey: "read" })).rejects.toMatchObject({ code: "NOT_FOUND" });
  });
});
