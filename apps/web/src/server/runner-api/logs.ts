// POST /api/runner/v1/logs: ordered log chunks of a live attempt, one or a batch of consecutive ones. The bytes go to
// the object store (gzip, under the attempt id and seq), the metadata to LogChunk (one INSERT per batch), and the text
// to the job's live Redis Stream. Idempotent by (attemptId, seq): chunks stored before are skipped (a retried batch
// stores only what it had not), another body for a stored seq is a 409.
import { createHash } from "node:crypto";
import { gzip } from "node:zlib";
import { promisify } from "node:util";
import { liveLogStreamKey, logChunks, type Database } from "@gantry/db";
import { LOG_REQUEST_MAX_BYTES, logChunkResponse, logChunksOf, logsRequest, logTruncationMarker } from "@gantry/runner-protocol";
import type { Redis } from "ioredis";
import type { DirectoryObjectStore } from "@gantry/storage";
import { attemptForToken } from "./attempt-auth";
import type { AttemptMaskers } from "@gantry/engine";
import { reportableOf } from "./reportable-attempt";
import { readBody, refuse } from "./respond";

export interface LogIngestDeps {
  database: Database;
  store: DirectoryObjectStore;
  redis: Redis;
  /** Key prefix of the live log streams (the queue prefix). */
  prefix: string;
  maxJobBytes: number;
  streamMaxLen: number;
  /** The live stream expires this long after its last entry (the archive serves the log after that). */
  streamTtlSeconds?: number;
  /** Masks the attempt's secrets again (@gantry/engine's AttemptMaskers); absent: stored as sent. */
  maskers?: AttemptMaskers;
  /** How long a batch waits for its predecessor to be stored before it asks to be sent again (default 10 s). */
  orderWaitMs?: number;
}

const ORDER_WAIT_MS = 10_000;
const STREAM_TTL_SECONDS = 3_600;
const ORDER_POLL_MS = 5;

type Sql = ReturnType<Database["sql"]>;

/**
 * Where the attempt's stored log ends, once the chunk before `seq` is stored (a copy of `seq` itself stored
 * meanwhile is the insert's to find); `ready: false` when it still is not after `waitMs`.
 */
async function storedPredecessor(sql: Sql, tenantId: string, attemptId: string, seq: number, waitMs: number): Promise<{ ready: true; end: number } | { ready: false; expected: number }> {
  const deadline = Date.now() + waitMs;
  for (;;) {
    const last = await logChunks.lastChunkBefore(sql, tenantId, attemptId, seq);
    const expected = last ? last.seq + 1 : 0;
    if (seq === expected) return { ready: true, end: last?.end ?? 0 };
    if (Date.now() >= deadline) return { ready: false, expected };
    await new Promise((resolve) => setTimeout(resolve, ORDER_POLL_MS));
  }
}


const gzipAsync = promisify(gzip);
// Logs are read rarely and written at the job's pace: the fastest level still shrinks log text several times over,
// at a fraction of the default level's CPU (the ingest path must keep up with a runner printing tens of MB/s).
const LOG_GZIP_LEVEL = 1;
const sha256 = (bytes: Buffer) => createHash("sha256").update(bytes).digest("hex");
export const logObjectKey = (tenantId: string, attemptId: string, seq: number, sha: string) => `logs/${tenantId}/${attemptId}/${String(seq).padStart(8, "0")}-${sha.slice(0, 16)}.log.gz`;

/** The longest prefix of `text` that fits in `bytes` UTF-8 bytes without splitting a character. */
function utf8Prefix(text: string, bytes: number): string {
  const buffer = Buffer.from(text);
  let cut = Math.max(0, Math.min(bytes, buffer.length));
  while (cut > 0 && ((buffer[cut] ?? 0) & 0xc0) === 0x80) cut--;
  return buffer.subarray(0, cut).toString();
}

interface Prepared {
  seq: number;
  stepIndex: number;
  timestamp: number;
  sha: string;
  byteOffset: number;
  /** What is stored: the chunk masked again, and cut at the job's cap. */
  text: string;
  bytes: Buffer;
  objectKey: string;
}

export async function handleLogs(request: Request, deps: LogIngestDeps): Promise<Response> {
  const body = await readBody(request, logsRequest, LOG_REQUEST_MAX_BYTES);
  if (!body.ok) return body.response;
  const { attemptId } = body.value;
  // Each chunk's UTF-8 bytes are made once: hashed here, and stored as they are unless masking changes the text.
  const batch = logChunksOf(body.value).map((chunk) => {
    const sent = Buffer.from(chunk.data);
    return { ...chunk, sent, sha: sha256(sent) };
  });
  const auth = await attemptForToken(request, deps.database, attemptId);
  if (!auth.ok) return auth.response;
  const { tenantId } = auth.attempt;
  const sql = deps.database.sql("runner API: store log chunks (the logs hot path)");
  const first = batch[0]?.seq ?? 0;
  const lastSeq = first + batch.length - 1;

  // The idempotency keys first: a retry of stored chunks is answered even after the attempt ended. Chunks are stored
  // in order, so what a retried batch finds stored is a prefix of it; the rest are new.
  const stored = await logChunks.storedChunks(sql, tenantId, attemptId, first, lastSeq);
  const conflict = stored.find((row) => row.sha256 !== batch.find((chunk) => chunk.seq === row.seq)?.sha);
  if (conflict) return refuse(409, "seq_conflict", `Chunk ${conflict.seq} of this attempt was stored with other content.`);
  const fresh = batch.filter((chunk) => !stored.some((row) => row.seq === chunk.seq));
  if (fresh.length === 0) return Response.json(logChunkResponse.parse({ stored: false, truncated: false }));
  // Read with the token (moments ago): no second query on the hot path.
  const live = reportableOf(auth.attempt);
  if (!live.ok) return live.response;

  // The runner masked the job's secrets and ::add-mask:: values; the job's secrets are masked again here, so a
  // runner that failed to cannot leak them (a value split across two chunks is the runner's to catch). The objects
  // are written (compressed on the thread pool, side by side) while this batch may still wait for its predecessor.
  const masker = deps.maskers ? await deps.maskers.maskerFor(attemptId) : undefined;
  const candidates = fresh.map((chunk) => {
    const text = masker ? masker.mask(chunk.data) : chunk.data;
    return { ...chunk, text, bytes: text === chunk.data ? chunk.sent : Buffer.from(text), objectKey: logObjectKey(tenantId, attemptId, chunk.seq, chunk.sha) };
  });
  const written = Promise.all(candidates.map(async (chunk) => deps.store.put(chunk.objectKey, await gzipAsync(chunk.bytes, { level: LOG_GZIP_LEVEL }))));

  // A runner keeps two requests in flight: this batch may arrive while the one before it is being stored. It waits
  // for it (a while), then asks to be sent again; where the stored log ends is the offset of its first chunk.
  const predecessor = await storedPredecessor(sql, tenantId, attemptId, fresh[0]?.seq ?? first, deps.orderWaitMs ?? ORDER_WAIT_MS);
  if (!predecessor.ready) {
    await written.catch(() => undefined);
    await Promise.all(candidates.map((chunk) => deps.store.delete(chunk.objectKey).catch(() => undefined)));
    return refuse(503, "seq_pending", `Chunk ${fresh[0]?.seq ?? first} arrived before chunk ${predecessor.expected} of this attempt was stored: send it again.`, { expectedSeq: predecessor.expected });
  }
  await written;
  let end = predecessor.end;
  const prepared: Prepared[] = [];
  let truncated = false;
  for (const chunk of candidates) {
    if (end >= deps.maxJobBytes) {
      await deps.store.delete(chunk.objectKey);
      continue;
    }
    let { text, bytes } = chunk;
    if (end + bytes.length > deps.maxJobBytes) {
      const kept = utf8Prefix(text, deps.maxJobBytes - end);
      text = `${kept}${kept === "" || kept.endsWith("\n") ? "" : "\n"}${logTruncationMarker(deps.maxJobBytes)}`;
      bytes = Buffer.from(text);
      truncated = true;
      await deps.store.put(chunk.objectKey, await gzipAsync(bytes, { level: LOG_GZIP_LEVEL }));
    }
    const { seq, stepIndex, timestamp, sha, objectKey } = chunk;
    prepared.push({ seq, stepIndex, timestamp, sha, byteOffset: end, text, bytes, objectKey });
    end += bytes.length;
  }
  // The log had reached the cap before this batch: acknowledged, nothing stored.
  if (prepared.length === 0) return Response.json(logChunkResponse.parse({ stored: false, truncated: true }));

  // The objects are written; now the rows that point at them, in one statement.
  const inserted = await logChunks.insertChunks(
    sql,
    tenantId,
    attemptId,
    prepared.map((chunk) => ({ seq: chunk.seq, stepIndex: chunk.stepIndex, byteOffset: chunk.byteOffset, byteLength: chunk.bytes.length, sha256: chunk.sha, objectKey: chunk.objectKey })),
  );
  if (inserted === "conflict") {
    // A concurrent copy of the same chunks won the insert: the same content is a retry, other content a conflict.
    const winners = await logChunks.storedChunks(sql, tenantId, attemptId, prepared[0]?.seq ?? first, prepared.at(-1)?.seq ?? lastSeq);
    const kept = new Set(winners.map((row) => row.objectKey));
    await Promise.all(prepared.filter((chunk) => !kept.has(chunk.objectKey)).map((chunk) => deps.store.delete(chunk.objectKey)));
    const sameContent = winners.length === prepared.length && winners.every((row) => row.sha256 === prepared.find((chunk) => chunk.seq === row.seq)?.sha);
    return sameContent
      ? Response.json(logChunkResponse.parse({ stored: false, truncated: false }))
      : refuse(409, "seq_conflict", `A chunk of seqs ${prepared[0]?.seq}–${prepared.at(-1)?.seq} of this attempt was stored with other content.`);
  }
  // The live view is best effort: Postgres and the object store are the archive (DESIGN.md invariant 2).
  const key = liveLogStreamKey(deps.prefix, tenantId, live.jobRunId);
  const pipeline = deps.redis.pipeline();
  // The text as its UTF-8 bytes, already encoded for the object: not encoded a second time for the socket.
  for (const chunk of prepared) pipeline.xadd(key, "MAXLEN", "~", deps.streamMaxLen, "*", "attempt", attemptId, "seq", chunk.seq, "step", chunk.stepIndex, "ts", chunk.timestamp, "data", chunk.bytes);
  // Without an expiry every job's stream would stay in Redis for good (up to the job's log cap each).
  pipeline.expire(key, deps.streamTtlSeconds ?? STREAM_TTL_SECONDS);
  await pipeline.exec().catch(() => undefined);
  return Response.json(logChunkResponse.parse({ stored: true, truncated: truncated || prepared.length < fresh.length }));
}
