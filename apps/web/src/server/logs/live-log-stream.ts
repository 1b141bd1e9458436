// GET /api/t/<tenant>/runs/<runId>/jobs/<jobKey>/logs: one job's log as server-sent events, for the run page's
// terminal. The archive (LogChunk rows + objects, read through `runs.logs`, so the same viewer check and tenant
// scoping as tRPC) is the truth; the job's Redis Stream only makes new chunks arrive without polling.
//
// Events (docs/web.md "Live logs"):
//   attempt  {attempt}                      the log of this attempt follows (a retry starts a new one)
//   step     {attempt, index, name}          the chunks that follow belong to this step
//   log      {attempt, seq, step, text}      one chunk; id `<attempt>:<seq>`, so Last-Event-ID resumes exactly
//   end      {attempt, status}               the job reached a terminal state and every chunk was sent; the stream closes
//                                            (status null: `?follow=0` and a later attempt began)
//   failure  {message}                       the server gave up (e.g. the membership was revoked); the stream closes
// and a `: keepalive` comment every heartbeat. Order: replay the archive from the cursor, then XREAD BLOCK the stream
// on a connection of this client's own; an entry past the cursor (the stream was trimmed, or an XADD was lost) sends
// the archive from the cursor instead, and every quiet block re-reads the archive and the job's state, so a Redis that
// lost everything still delivers every chunk, only later.
import { attemptId as attemptIdOf, isTerminalRunStatus, liveLogStreamKey, type RunStatus } from "@gantry/db";
import { TRPCError } from "@trpc/server";
import { getHTTPStatusCodeFromError } from "@trpc/server/http";
import type { Redis } from "ioredis";
import type { SessionUser } from "../auth";
import { createCaller } from "../routers/_app";
import { createTRPCContext, type TRPCContext } from "../trpc";
import { eventStreamResponse } from "../http/event-stream";

export interface LiveLogDeps {
  session: SessionUser | null;
  database: TRPCContext["database"];
  queues: TRPCContext["queues"];
  /** The shared client: each SSE client gets its own `duplicate()` for the blocking XREAD, closed with the client. */
  redis: Redis;
  /** Key prefix of the live log streams (the queue prefix). */
  prefix: string;
  /** How long one XREAD blocks; a quiet block re-reads the archive and the job's state. */
  blockMs?: number;
  heartbeatMs?: number;
}

export interface LiveLogTarget {
  tenant: string;
  runId: string;
  jobKey: string;
}

/**
 * Where to start: after the chunk `Last-Event-ID` names, else `?attempt=&fromSeq=`, else the latest attempt from 0.
 * `follow` is false with `?follow=0` (the job page showing one attempt): the stream stays on its attempt and ends when
 * a later attempt begins, instead of switching to it.
 */
export function parseLogCursor(request: Request): { attempt?: number; seq: number; follow: boolean } {
  const query = new URL(request.url).searchParams;
  const follow = query.get("follow") !== "0";
  const lastId = /^(\d{1,9}):(\d{1,9})$/.exec(request.headers.get("last-event-id") ?? "");
  if (lastId) return { attempt: Number(lastId[1]), seq: Number(lastId[2]) + 1, follow };
  const attempt = Number(query.get("attempt"));
  const seq = Number(query.get("fromSeq"));
  return { ...(Number.isSafeInteger(attempt) && attempt > 0 ? { attempt } : {}), seq: Number.isSafeInteger(seq) && seq > 0 ? seq : 0, follow };
}

const refuse = (status: number, message: string) => Response.json({ error: message }, { status });

export async function handleLiveLogs(request: Request, target: LiveLogTarget, deps: LiveLogDeps): Promise<Response> {
  if (!deps.session) return refuse(401, "Sign in first.");
  const caller = createCaller(createTRPCContext({ session: deps.session, database: deps.database, redis: deps.redis, queues: deps.queues }));
  // Attempt 0 (not started yet) reads the latest, whatever it has become.
  const read = (attempt: number | undefined, fromSeq: number) => caller.runs.logs({ tenant: target.tenant, runId: target.runId, jobKey: target.jobKey, attempt: attempt || undefined, fromSeq });
  const cursor = parseLogCursor(request);
  let first: Awaited<ReturnType<typeof read>>;
  try {
    first = await read(cursor.attempt, cursor.seq);
  } catch (error) {
    if (error instanceof TRPCError) return refuse(getHTTPStatusCodeFromError(error), error.message);
    throw error;
  }

  const blockMs = deps.blockMs ?? 2_000;
  const heartbeatMs = deps.heartbeatMs ?? 15_000;
  const { tenantId, id: jobRunId } = first.job;
  const key = liveLogStreamKey(deps.prefix, tenantId, jobRunId);
  const abort = new AbortController();
  const encoder = new TextEncoder();
  let connection: Redis | undefined;
  let heartbeat: ReturnType<typeof setInterval> | undefined;
  const close = () => {
    if (abort.signal.aborted) return;
    abort.abort();
    clearInterval(heartbeat);
    connection?.disconnect();
  };
  request.signal.addEventListener("abort", close);

  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      const write = (text: string) => {
        if (!abort.signal.aborted) controller.enqueue(encoder.encode(text));
      };
      const send = (event: string, data: unknown, id?: string) => write(`${id === undefined ? "" : `id: ${id}\n`}event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
      heartbeat = setInterval(() => write(": keepalive\n\n"), heartbeatMs);
      write("retry: 2000\n\n");

      // What has been sent: the attempt on screen, its next seq, and the step of the last chunk.
      let attempt = first.attempt;
      let seq = cursor.seq;
      let step: number | null = null;
      let stepNames = new Map(first.steps.map((s) => [s.index, s.name]));
      const sendChunk = (chunk: { seq: number; stepIndex: number | null; text: string }) => {
        if (chunk.seq !== seq) return false;
        if (chunk.stepIndex !== null && chunk.stepIndex !== step) {
          step = chunk.stepIndex;
          send("step", { attempt, index: step, name: stepNames.get(step) ?? null });
        }
        send("log", { attempt, seq, step: chunk.stepIndex, text: chunk.text }, `${attempt}:${seq}`);
        seq++;
        return true;
      };
      /** The archive of the attempt on screen from `seq` on; answers the job's state. */
      const catchUp = async (page = first) => {
        let current = page;
        for (;;) {
          // Another attempt than the one on screen: the caller's loop switches to the job's latest.
          if (current.attempt !== attempt) return current.job;
          stepNames = new Map(current.steps.map((s) => [s.index, s.name]));
          const sent = current.chunks.filter(sendChunk).length;
          if (sent === 0 || abort.signal.aborted) return current.job;
          current = await read(attempt, seq);
        }
      };
      const startAttempt = (number: number) => {
        attempt = number;
        seq = 0;
        step = null;
        if (number > 0) send("attempt", { attempt });
      };

      const run = async () => {
        if (attempt > 0) send("attempt", { attempt });
        await catchUp();
        connection = deps.redis.duplicate({ connectionName: `gantry-logs-sse:${jobRunId}`, lazyConnect: true, maxRetriesPerRequest: 1 });
        connection.on("error", () => undefined);
        // The stream's position now: anything added later is read below; anything before is in the archive.
        let lastId = (await connection.xrevrange(key, "+", "-", "COUNT", 1).catch(() => []))[0]?.[0] ?? "0-0";
        let job: { attempt: number; status: RunStatus } = await catchUp(await read(attempt, seq));
        while (!abort.signal.aborted) {
          if (job.attempt > attempt && !cursor.follow && attempt > 0) {
            // One attempt only, and a later one began: the rest of this one (it has ended), then `end` without a
            // status (the job's is the later attempt's).
            await catchUp(await read(attempt, seq));
            send("end", { attempt, status: null });
            break;
          }
          if (job.attempt > attempt) {
            // A retry: the rest of the old attempt (it has ended), then the new one from its start.
            await catchUp(await read(attempt, seq));
            startAttempt(job.attempt);
            job = await catchUp(await read(attempt, 0));
            continue;
          }
          if (isTerminalRunStatus(job.status)) {
            job = await catchUp(await read(attempt, seq));
            if (job.attempt === attempt) {
              send("end", { attempt, status: job.status });
              break;
            }
            continue;
          }
          let entries: [string, string[]][] = [];
          try {
            const answer = await connection.xread("COUNT", 500, "BLOCK", blockMs, "STREAMS", key, lastId);
            entries = answer?.[0]?.[1] ?? [];
          } catch {
            // Redis is down or lost the stream: wait one block and read the archive instead.
            if (abort.signal.aborted) break;
            await new Promise<void>((resolve) => {
              const timer = setTimeout(resolve, blockMs);
              abort.signal.addEventListener("abort", () => (clearTimeout(timer), resolve()), { once: true });
            });
          }
          const attemptKey = attempt > 0 ? attemptIdOf(jobRunId, attempt) : "";
          let behind = entries.length === 0;
          for (const [id, fields] of entries) {
            lastId = id;
            const entry = new Map<string, string>();
            for (let i = 0; i + 1 < fields.length; i += 2) entry.set(fields[i] ?? "", fields[i + 1] ?? "");
            if (entry.get("attempt") !== attemptKey) {
              behind = true; // another attempt writes: read the job's state
              continue;
            }
            const entrySeq = Number(entry.get("seq"));
            if (entrySeq < seq) continue; // sent from the archive already
            if (entrySeq > seq) {
              behind = true; // a gap (trimmed, or an XADD lost): the archive has it
              break;
            }
            const stepText = entry.get("step");
            if (stepText !== undefined && !stepNames.has(Number(stepText))) behind = true;
            sendChunk({ seq: entrySeq, stepIndex: stepText === undefined || stepText === "" ? null : Number(stepText), text: entry.get("data") ?? "" });
          }
          if (behind && !abort.signal.aborted) job = await catchUp(await read(attempt, seq));
        }
      };
      run()
        .catch((error: unknown) => {
          // A revoked membership or a database error: say so, and let the browser reconnect later.
          send("failure", { message: error instanceof Error ? error.message : String(error) });
        })
        .finally(() => {
          close();
          try {
            controller.close();
          } catch {
            // The reader cancelled the stream already.
          }
        });
    },
    cancel: close,
  });
  return eventStreamResponse(body);
}
