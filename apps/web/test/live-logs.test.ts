// The live log endpoint (server-sent events) against a real database, Redis and object store, fed through the real
// logs route: archive replay, live tail, resume by Last-Event-ID without duplicates, the archive standing in for a
// trimmed or lost stream, a retry's new attempt, the end event, auth and tenant isolation, and the client's Redis
// connection closed when it goes away.
import { mkdtempSync, rmSync } from "node:fs";
import { until } from "@gantry/testing";
import os from "node:os";
import path from "node:path";
import { claimResponse } from "@gantry/runner-protocol";
import { enqueueReady } from "@gantry/engine";
import { DEMO, liveLogStreamKey, randomId, transitions } from "@gantry/db";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { POST as claimRoute } from "../src/app/api/runner/v1/claim/route";
import { POST as logsRoute } from "../src/app/api/runner/v1/logs/route";
import type { SessionUser } from "../src/server/auth";
import { handleLiveLogs, type LiveLogDeps } from "../src/server/logs/live-log-stream";
import { handleLogs } from "../src/server/runner-api/logs";
import { getServices } from "../src/server/services";
import { DirectoryObjectStore } from "@gantry/storage";
import { claimedJob, closeRunnerTest, demo, post, register } from "./runner-support";
import { setupWebTest, stubWebEnv, type WebTestContext } from "./support";

let t: WebTestContext;
const prefix = `gantry-test-${Math.random().toString(16).slice(2, 10)}`;
const storage = mkdtempSync(path.join(os.tmpdir(), "gantry-storage-"));
const demoUser: SessionUser = { userId: DEMO.userId, email: DEMO.email, name: "Demo Admin" };

beforeAll(async () => {
  t = await setupWebTest();
  stubWebEnv({ ...t.env, GANTRY_QUEUE_PREFIX: prefix, GANTRY_STORAGE_DIR: storage });
});
afterAll(async () => {
  await closeRunnerTest(t, prefix);
  rmSync(storage, { recursive: true, force: true });
});

const chunk = (attemptId: string, seq: number, data: string, stepIndex = 0) => ({ attemptId, seq, stepIndex, timestamp: 1_764_000_000_000 + seq, data });

interface SseEvent {
  event: string;
  id?: string;
  data: Record<string, unknown>;
}

/** An open SSE response: its events as they arrive, comments counted, and a way to hang up. */
function openStream(options: { runId: string; jobKey: string; lastEventId?: string; query?: string; session?: SessionUser | null; tenant?: string; blockMs?: number; heartbeatMs?: number }) {
  const abort = new AbortController();
  const deps = (): LiveLogDeps => {
    const { database, redis, queues } = getServices();
    return { session: options.session === undefined ? demoUser : options.session, database, redis, queues, prefix, blockMs: options.blockMs ?? 200, heartbeatMs: options.heartbeatMs ?? 60_000 };
  };
  const request = new Request(`http://127.0.0.1/api/t/x/runs/${options.runId}/jobs/${options.jobKey}/logs${options.query ?? ""}`, {
    headers: options.lastEventId ? { "last-event-id": options.lastEventId } : {},
    signal: abort.signal,
  });
  const response = handleLiveLogs(request, { tenant: options.tenant ?? DEMO.tenantSlug, runId: options.runId, jobKey: options.jobKey }, deps());
  const events: SseEvent[] = [];
  let comments = 0;
  let done = false;
  const pump = response.then(async (answer) => {
    if (!answer.body || answer.status !== 200) return;
    const reader = answer.body.pipeThrough(new TextDecoderStream()).getReader();
    let buffer = "";
    for (;;) {
      const { value, done: finished } = await reader.read().catch(() => ({ value: undefined, done: true }));
      if (finished) break;
      buffer += value;
      let cut: number;
      while ((cut = buffer.indexOf("\n\n")) !== -1) {
        const block = buffer.slice(0, cut);
        buffer = buffer.slice(cut + 2);
        if (block.startsWith(":")) comments++;
        const fields = new Map(block.split("\n").map((line) => [line.slice(0, line.indexOf(":")), line.slice(line.indexOf(":") + 2)]));
        const event = fields.get("event");
        if (event) events.push({ event, ...(fields.has("id") ? { id: fields.get("id") } : {}), data: JSON.parse(fields.get("data") ?? "{}") as Record<string, unknown> });
      }
    }
    done = true;
  });
  return {
    response,
    events,
    logs: () => events.filter((event) => event.event === "log"),
    comments: () => comments,
    done: () => done,
    close: async () => {
      abort.abort();
      await pump;
    },
  };
}

const texts = (events: SseEvent[]) => events.map((event) => event.data.text);

async function finish(jobId: string, attempt: number) {
  expect((await transitions.finishJob(t.database.system("test"), demo, jobId, attempt, "SUCCEEDED")).changed).toBe(true);
}

/** Logs stored in the archive while the live stream misses them (its XADD fails): Redis "lost" these chunks. */
function postWithoutStream(token: string, body: unknown) {
  const { database, env } = getServices();
  const dead = new Redis("redis://127.0.0.1:1", { lazyConnect: true, maxRetriesPerRequest: 0, enableOfflineQueue: false, retryStrategy: () => null });
  const request = new Request("http://127.0.0.1/api/runner/v1/logs", { method: "POST", headers: { "content-type": "application/json", authorization: `Bearer ${token}` }, body: JSON.stringify(body) });
  return handleLogs(request, { database, redis: dead, store: new DirectoryObjectStore(env.storageDir), prefix, maxJobBytes: 1 << 20, streamMaxLen: 1000 }).finally(() => dead.disconnect());
}

/** Attempt 1 lost, the job queued again and claimed by a new runner: attempt 2's assignment. */
async function retried(jobId: string, attemptId: string, runnerName: string) {
  const sys = t.database.system("test");
  await sys.$executeRaw`UPDATE "JobRun" SET "maxAttempts" = 2 WHERE id = ${jobId}`;
  await sys.$executeRaw`UPDATE "JobAttempt" SET "leaseExpiresAt" = now() - interval '1 second' WHERE id = ${attemptId}`;
  expect((await transitions.markAttemptLost(sys, demo, attemptId)).changed).toBe(true);
  expect((await transitions.requeueJob(sys, demo, jobId, 1)).changed).toBe(true);
  // What the worker's lease reaper does next: free the job's slot in its pool and queue it again.
  const { poolId } = await sys.jobRun.findUniqueOrThrow({ where: { id: jobId }, select: { poolId: true } });
  if (poolId) await getServices().scheduler.release(poolId, DEMO.tenantId, jobId);
  await enqueueReady(t.database, getServices().scheduler, demo, [jobId]);
  const { runnerId, credential } = await register(t, runnerName);
  const second = claimResponse.parse(await (await post(claimRoute, credential, { runnerId, waitMs: 0 })).json()).assignment;
  if (!second) throw new Error("no second assignment");
  return second;
}

describe("GET /api/t/<tenant>/runs/<runId>/jobs/<jobKey>/logs", () => {
  it("replays the archive, tails the stream live, and ends when the job does", async () => {
    const { assignment, runId, jobId } = await claimedJob(t, "tail");
    const token = assignment.jobToken;
    await t.database.system("test").stepRun.create({ data: { id: randomId("step"), tenantId: DEMO.tenantId, attemptId: assignment.attemptId, index: 0, name: "Build", status: "RUNNING" } });
    expect((await post(logsRoute, token, chunk(assignment.attemptId, 0, "\u001b[32mgreen\u001b[0m\n"))).status).toBe(200);
    expect((await post(logsRoute, token, chunk(assignment.attemptId, 1, "two\n"))).status).toBe(200);

    const stream = openStream({ runId, jobKey: "tail", blockMs: 60_000 });
    const response = await stream.response;
    expect([response.status, response.headers.get("content-type"), response.headers.get("cache-control")]).toEqual([200, "text/event-stream; charset=utf-8", "no-cache, no-transform"]);
    await until("the archive replayed", () => stream.logs().length === 2);
    expect(stream.events.slice(0, 2)).toEqual([
      { event: "attempt", data: { attempt: 1 } },
      { event: "step", data: { attempt: 1, index: 0, name: "Build" } },
    ]);
    expect(stream.logs().map((event) => event.id)).toEqual(["1:0", "1:1"]);
    expect(texts(stream.logs())).toEqual(["\u001b[32mgreen\u001b[0m\n", "two\n"]);

    // Live: through the logs route, and an entry only the stream has (so it cannot have come from the archive).
    // The block is a minute long, so nothing here is the archive poll.
    expect((await post(logsRoute, token, chunk(assignment.attemptId, 2, "three\n", 1))).status).toBe(200);
    await until("chunk 2 live", () => stream.logs().length === 3);
    await getServices().redis.xadd(liveLogStreamKey(prefix, DEMO.tenantId, jobId), "*", "attempt", assignment.attemptId, "seq", 3, "step", 1, "ts", 0, "data", "only in redis\n");
    await until("chunk 3 from the stream", () => stream.logs().length === 4);
    expect(texts(stream.logs().slice(2))).toEqual(["three\n", "only in redis\n"]);
    expect(stream.events.filter((event) => event.event === "step").map((event) => event.data.index)).toEqual([0, 1]);
    await stream.close();
  });

  it("sends end once the job is terminal, after every archived chunk; a finished job is its archive then end", async () => {
    const { assignment, runId, jobId } = await claimedJob(t, "ends");
    expect((await post(logsRoute, assignment.jobToken, chunk(assignment.attemptId, 0, "a\n"))).status).toBe(200);
    const stream = openStream({ runId, jobKey: "ends" });
    await until("chunk 0", () => stream.logs().length === 1);
    expect((await postWithoutStream(assignment.jobToken, chunk(assignment.attemptId, 1, "b\n"))).status).toBe(200);
    await finish(jobId, 1);
    await until("the stream closed", () => stream.done());
    expect(texts(stream.logs())).toEqual(["a\n", "b\n"]);
    expect(stream.events.at(-1)).toEqual({ event: "end", data: { attempt: 1, status: "SUCCEEDED" } });

    const again = openStream({ runId, jobKey: "ends" });
    await until("the archive and end", () => again.done());
    expect(again.events.map((event) => event.event)).toEqual(["attempt", "step", "log", "log", "end"]);
  });

  it("resumes after Last-Event-ID with no duplicates and no gaps", async () => {
    const { assignment, runId, jobId } = await claimedJob(t, "resume");
    for (let seq = 0; seq < 5; seq++) expect((await post(logsRoute, assignment.jobToken, chunk(assignment.attemptId, seq, `line ${seq}\n`))).status).toBe(200);
    const stream = openStream({ runId, jobKey: "resume", lastEventId: "1:2" });
    await until("chunks 3 and 4", () => stream.logs().length === 2);
    expect((await post(logsRoute, assignment.jobToken, chunk(assignment.attemptId, 5, "line 5\n"))).status).toBe(200);
    await finish(jobId, 1);
    await until("end", () => stream.done());
    expect(stream.logs().map((event) => event.id)).toEqual(["1:3", "1:4", "1:5"]);
  });

  it("falls back to the archive when the stream has a gap or lost everything", async () => {
    const { assignment, runId, jobId } = await claimedJob(t, "gap");
    const key = liveLogStreamKey(prefix, DEMO.tenantId, jobId);
    expect((await post(logsRoute, assignment.jobToken, chunk(assignment.attemptId, 0, "zero\n"))).status).toBe(200);
    // Trimmed before the client came: the archive still has chunk 0.
    await getServices().redis.xtrim(key, "MAXLEN", 0);
    const stream = openStream({ runId, jobKey: "gap", blockMs: 60_000 });
    await until("chunk 0 from the archive", () => stream.logs().length === 1);

    // Chunks 1 and 2 never reached the stream; chunk 3 did: the gap is read from the archive, in order, once.
    expect((await postWithoutStream(assignment.jobToken, chunk(assignment.attemptId, 1, "one\n"))).status).toBe(200);
    expect((await postWithoutStream(assignment.jobToken, chunk(assignment.attemptId, 2, "two\n"))).status).toBe(200);
    expect((await post(logsRoute, assignment.jobToken, chunk(assignment.attemptId, 3, "three\n"))).status).toBe(200);
    await until("chunks 1-3", () => stream.logs().length === 4);
    expect(stream.logs().map((event) => event.id)).toEqual(["1:0", "1:1", "1:2", "1:3"]);
    await stream.close();

    // Redis lost the stream altogether, and nothing new reaches it: the quiet block's archive read delivers.
    await getServices().redis.del(key);
    const quiet = openStream({ runId, jobKey: "gap", lastEventId: "1:3", blockMs: 100 });
    await until("connected", async () => (await quiet.response).status === 200);
    expect((await postWithoutStream(assignment.jobToken, chunk(assignment.attemptId, 4, "four\n"))).status).toBe(200);
    await until("chunk 4 by the archive poll", () => quiet.logs().length === 1);
    expect(quiet.logs().map((event) => event.id)).toEqual(["1:4"]);
    await quiet.close();
  });

  it("follows a retry: the rest of attempt 1, then attempt 2 from its start", async () => {
    const { assignment, runId, jobId } = await claimedJob(t, "retry");
    expect((await post(logsRoute, assignment.jobToken, chunk(assignment.attemptId, 0, "first try\n"))).status).toBe(200);
    const stream = openStream({ runId, jobKey: "retry" });
    await until("attempt 1's chunk", () => stream.logs().length === 1);

    const second = await retried(jobId, assignment.attemptId, "r-retry-2");
    expect((await post(logsRoute, second.jobToken, chunk(second.attemptId, 0, "second try\n"))).status).toBe(200);
    await until("attempt 2's chunk", () => stream.logs().length === 2);
    expect(stream.events.filter((event) => event.event !== "step")).toEqual([
      { event: "attempt", data: { attempt: 1 } },
      { event: "log", id: "1:0", data: { attempt: 1, seq: 0, step: 0, text: "first try\n" } },
      { event: "attempt", data: { attempt: 2 } },
      { event: "log", id: "2:0", data: { attempt: 2, seq: 0, step: 0, text: "second try\n" } },
    ]);
    await finish(jobId, 2);
    await until("end", () => stream.done());
    expect(stream.events.at(-1)).toEqual({ event: "end", data: { attempt: 2, status: "SUCCEEDED" } });
  });

  it("stays on one attempt with ?follow=0: when a later one begins it ends without a status, and sends none of the later one", async () => {
    const { assignment, runId, jobId } = await claimedJob(t, "pinned");
    expect((await post(logsRoute, assignment.jobToken, chunk(assignment.attemptId, 0, "first try\n"))).status).toBe(200);
    const stream = openStream({ runId, jobKey: "pinned", query: "?attempt=1&follow=0" });
    await until("attempt 1's chunk", () => stream.logs().length === 1);
    const second = await retried(jobId, assignment.attemptId, "r-pinned-2");
    expect((await post(logsRoute, second.jobToken, chunk(second.attemptId, 0, "second try\n"))).status).toBe(200);
    await until("end", () => stream.done());
    expect(stream.events.filter((event) => event.event !== "step")).toEqual([
      { event: "attempt", data: { attempt: 1 } },
      { event: "log", id: "1:0", data: { attempt: 1, seq: 0, step: 0, text: "first try\n" } },
      { event: "end", data: { attempt: 1, status: null } },
    ]);
    // Attempt 1 read later, pinned: its archive, then end at once.
    const later = openStream({ runId, jobKey: "pinned", query: "?attempt=1&follow=0" });
    await until("the old attempt ends", () => later.done());
    expect(texts(later.logs())).toEqual(["first try\n"]);
    expect(later.events.at(-1)).toEqual({ event: "end", data: { attempt: 1, status: null } });
  });

  it("answers 401 without a session, 403 outside the tenant, 404 for another tenant's job", async () => {
    const { runId } = await claimedJob(t, "private");
    const sys = t.database.system("test");
    const tenantB = randomId("ten");
    await sys.tenant.create({ data: { id: tenantB, slug: "tenant-b", name: "Tenant B" } });
    const userB: SessionUser = { userId: randomId("usr"), email: "b@example.test", name: "B" };
    await sys.user.create({ data: { id: userB.userId, email: userB.email, name: userB.name } });
    await sys.membership.create({ data: { tenantId: tenantB, userId: userB.userId, role: "ADMIN" } });

    const status = async (options: Parameters<typeof openStream>[0]) => (await openStream(options).response).status;
    expect(await status({ runId, jobKey: "private", session: null })).toBe(401);
    expect(await status({ runId, jobKey: "private", session: userB })).toBe(403);
    expect(await status({ runId, jobKey: "private", session: userB, tenant: "tenant-b" })).toBe(404);
    expect(await status({ runId, jobKey: "nope" })).toBe(404);
    const refused: unknown = await (await openStream({ runId, jobKey: "private", session: userB }).response).json();
    expect(refused).toEqual({ error: "You are not a member of tenant 'demo'." });
  });

  it("sends heartbeats and closes its own Redis connection when the client goes away", async () => {
    const { runId, jobId } = await claimedJob(t, "hangup");
    const name = `gantry-logs-sse:${jobId}`;
    const clients = async () => String(await t.redis.client("LIST")).split("\n").filter((line) => line.includes(`name=${name}`)).length;
    const stream = openStream({ runId, jobKey: "hangup", blockMs: 60_000, heartbeatMs: 20 });
    await until("the client's connection", async () => (await clients()) === 1);
    await until("two heartbeats", () => stream.comments() >= 2);
    await stream.close();
    await until("the connection closed", async () => (await clients()) === 0);
  });
});
