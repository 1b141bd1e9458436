// POST /api/runner/v1/logs: ordered log chunks of a live attempt, one or a batch of consecutive ones. The bytes go to
// the object store (gzip, under the attempt id and seq), the metadata to LogChunk (one INSERT per batch), and the text
// to the job's live Redis Stream. Idempotent by (attemptId, seq): chunks stored before are skipped (a retried batch
// stores only what it had not), another body for a stored seq is a 409.
import { createHash } from "node:crypto";
import { gzip } from "node:zlib";
import { promisify } from "node:util";
import { deterministicId, liveLogStreamKey, Prisma, type Database } from "@gantry/db";
import { LOG_REQUEST_MAX_BYTES, logChunkResponse, logChunksOf, logsRequest, logTruncationMarker } from "@gantry/runner-protocol";
import type { Redis } from "ioredis";
import type { DirectoryObjectStore } from "@gantry/storage";
import { attemptForToken } from "./attempt-auth";
import type { AttemptMaskers } from "./job-secrets";
import { reportableAttempt } from "./reportable-attempt";
import { readBody, refuse } from "./respond";

export interface LogIngestDeps {
  database: Database;
  store: DirectoryObjectStore;
  redis: Redis;
  /** Key prefix of the live log streams (the queue prefix). */
  prefix: string;
  maxJobBytes: number;
  streamMaxLen: number;
  /** Masks the attempt's secrets again (job-secrets.ts); absent: stored as sent. */
  maskers?: AttemptMaskers;
}

const gzipAsync = promisify(gzip);
const sha256 = (text: string) => createHash("sha256").update(text).digest("hex");
export const logObjectKey = (tenantId: string, attemptId: string, seq: number, sha: string) => `logs/${tenantId}/${attemptId}/${String(seq).padStart(8, "0")}-${sha.slice(0, 16)}.log.gz`;

/** The longest prefix of `text` that fits in `bytes` UTF-8 bytes without splitting a character. */
function utf8Prefix(text: string, bytes: number): string {
  const buffer = Buffer.from(text);
  let cut = Math.max(0, Math.min(bytes, buffer.length));
  while (cut > 0 && ((buffer[cut] ?? 0) & 0xc0) === 0x80) cut--;
  return buffer.subarray(0, cut).toString();
}

const isUniqueViolation = (error: unknown) => error instanceof Prisma.PrismaClientKnownRequestError && error.code === "P2002";

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
  const batch = logChunksOf(body.value).map((chunk) => ({ ...chunk, sha: sha256(chunk.data) }));
  const auth = await attemptForToken(request, deps.database, attemptId);
  if (!auth.ok) return auth.response;
  const { tenantId } = auth.attempt;
  const chunks = deps.database.forTenant({ tenantId, actor: { kind: "RUNNER" } }).logChunk;
  const first = batch[0]?.seq ?? 0;
  const lastSeq = first + batch.length - 1;

  // The idempotency keys first: a retry of stored chunks is answered even after the attempt ended. Chunks are stored
  // in order, so what a retried batch finds stored is a prefix of it; the rest are new.
  const stored = await chunks.findMany({ where: { attemptId, seq: { gte: first, lte: lastSeq } }, select: { seq: true, sha256: true } });
  const conflict = stored.find((row) => row.sha256 !== batch.find((chunk) => chunk.seq === row.seq)?.sha);
  if (conflict) return refuse(409, "seq_conflict", `Chunk ${conflict.seq} of this attempt was stored with other content.`);
  const fresh = batch.filter((chunk) => !stored.some((row) => row.seq === chunk.seq));
  if (fresh.length === 0) return Response.json(logChunkResponse.parse({ stored: false, truncated: false }));
  const live = await reportableAttempt(deps.database, attemptId);
  if (!live.ok) return live.response;

  // Chunks arrive in order: the offset of the first new one is where its predecessor ended.
  const last = await chunks.findFirst({ where: { attemptId }, orderBy: { seq: "desc" }, select: { seq: true, byteOffset: true, byteLength: true } });
  let end = last ? Number(last.byteOffset) + last.byteLength : 0;
  if (end >= deps.maxJobBytes) return Response.json(logChunkResponse.parse({ stored: false, truncated: true }));
  const expected = last ? last.seq + 1 : 0;
  if (fresh[0]?.seq !== expected) return refuse(409, "seq_gap", `Chunk ${fresh[0]?.seq ?? first} arrived out of order: the next chunk of this attempt is ${expected}.`, { expectedSeq: expected });

  // The runner masked the job's secrets and ::add-mask:: values; the job's secrets are masked again here, so a
  // runner that failed to cannot leak them (a value split across two chunks is the runner's to catch).
  const masker = deps.maskers ? await deps.maskers.maskerFor(attemptId) : undefined;
  const prepared: Prepared[] = [];
  let truncated = false;
  for (const chunk of fresh) {
    if (end >= deps.maxJobBytes) break;
    let text = masker ? masker.mask(chunk.data) : chunk.data;
    let bytes = Buffer.from(text);
    if (end + bytes.length > deps.maxJobBytes) {
      const kept = utf8Prefix(text, deps.maxJobBytes - end);
      text = `${kept}${kept === "" || kept.endsWith("\n") ? "" : "\n"}${logTruncationMarker(deps.maxJobBytes)}`;
      bytes = Buffer.from(text);
      truncated = true;
    }
    const { seq, stepIndex, timestamp, sha } = chunk;
    prepared.push({ seq, stepIndex, timestamp, sha, byteOffset: end, text, bytes, objectKey: logObjectKey(tenantId, attemptId, seq, sha) });
    end += bytes.length;
  }

  // Objects first (compressed on the thread pool, side by side), then the rows that point at them in one statement.
  await Promise.all(prepared.map(async (chunk) => deps.store.put(chunk.objectKey, await gzipAsync(chunk.bytes))));
  try {
    await chunks.createMany({
      data: prepared.map((chunk) => ({
        id: deterministicId("log", attemptId, chunk.seq),
        tenantId,
        attemptId,
        seq: chunk.seq,
        stepIndex: chunk.stepIndex,
        byteOffset: BigInt(chunk.byteOffset),
        byteLength: chunk.bytes.length,
        sha256: chunk.sha,
        objectKey: chunk.objectKey,
      })),
    });
  } catch (error) {
    if (!isUniqueViolation(error)) throw error;
    // A concurrent copy of the same chunks won the insert: the same content is a retry, other content a conflict.
    const winners = await chunks.findMany({ where: { attemptId, seq: { in: prepared.map((chunk) => chunk.seq) } }, select: { seq: true, sha256: true, objectKey: true } });
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
  for (const chunk of prepared) pipeline.xadd(key, "MAXLEN", "~", deps.streamMaxLen, "*", "attempt", attemptId, "seq", chunk.seq, "step", chunk.stepIndex, "ts", chunk.timestamp, "data", chunk.text);
  await pipeline.exec().catch(() => undefined);
  return Response.json(logChunkResponse.parse({ stored: true, truncated: truncated || prepared.length < fresh.length }));
}
