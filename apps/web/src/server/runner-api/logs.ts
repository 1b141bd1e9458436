// POST /api/runner/v1/logs: one ordered log chunk of a live attempt. The bytes go to the object store (gzip, under
// the attempt id and seq), the metadata to LogChunk, and the text to the job's live Redis Stream. Idempotent by
// (attemptId, seq): the same chunk again stores nothing and answers OK; another body for a stored seq is a 409.
import { createHash } from "node:crypto";
import { gzipSync } from "node:zlib";
import { deterministicId, liveLogStreamKey, Prisma, type Database } from "@gantry/db";
import { logChunkRequest, logChunkResponse, logTruncationMarker } from "@gantry/runner-protocol";
import type { Redis } from "ioredis";
import type { DirectoryObjectStore } from "../storage/object-store";
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

export async function handleLogs(request: Request, deps: LogIngestDeps): Promise<Response> {
  const body = await readBody(request, logChunkRequest);
  if (!body.ok) return body.response;
  const auth = await attemptForToken(request, deps.database, body.value.attemptId);
  if (!auth.ok) return auth.response;
  const { attemptId, seq, stepIndex, timestamp, data } = body.value;
  const { tenantId } = auth.attempt;
  const chunks = deps.database.forTenant({ tenantId, actor: { kind: "RUNNER" } }).logChunk;
  const sha = sha256(data);

  // The idempotency key first: a retry of a stored chunk is answered even after the attempt ended.
  const stored = await chunks.findUnique({ where: { attemptId_seq: { attemptId, seq } }, select: { sha256: true } });
  if (stored) {
    return stored.sha256 === sha
      ? Response.json(logChunkResponse.parse({ stored: false, truncated: false }))
      : refuse(409, "seq_conflict", `Chunk ${seq} of this attempt was stored with other content.`);
  }
  const live = await reportableAttempt(deps.database, attemptId);
  if (!live.ok) return live.response;

  // Chunks arrive in order: the offset of this one is where its predecessor ended.
  const last = await chunks.findFirst({ where: { attemptId }, orderBy: { seq: "desc" }, select: { seq: true, byteOffset: true, byteLength: true } });
  const end = last ? Number(last.byteOffset) + last.byteLength : 0;
  if (end >= deps.maxJobBytes) return Response.json(logChunkResponse.parse({ stored: false, truncated: true }));
  const expected = last ? last.seq + 1 : 0;
  if (seq !== expected) return refuse(409, "seq_gap", `Chunk ${seq} arrived out of order: the next chunk of this attempt is ${expected}.`, { expectedSeq: expected });

  // The runner masked the job's secrets and ::add-mask:: values; the job's secrets are masked again here, so a
  // runner that failed to cannot leak them (a value split across two chunks is the runner's to catch).
  let text = deps.maskers ? (await deps.maskers.maskerFor(attemptId)).mask(data) : data;
  let truncated = false;
  if (end + Buffer.byteLength(text) > deps.maxJobBytes) {
    const kept = utf8Prefix(text, deps.maxJobBytes - end);
    text = `${kept}${kept === "" || kept.endsWith("\n") ? "" : "\n"}${logTruncationMarker(deps.maxJobBytes)}`;
    truncated = true;
  }
  const bytes = Buffer.from(text);
  const objectKey = logObjectKey(tenantId, attemptId, seq, sha);
  await deps.store.put(objectKey, gzipSync(bytes));
  try {
    await chunks.create({
      data: { id: deterministicId("log", attemptId, seq), tenantId, attemptId, seq, stepIndex, byteOffset: BigInt(end), byteLength: bytes.length, sha256: sha, objectKey },
    });
  } catch (error) {
    if (!isUniqueViolation(error)) throw error;
    // A concurrent copy of the same seq won the insert: the same content is a retry, other content a conflict.
    const winner = await chunks.findUnique({ where: { attemptId_seq: { attemptId, seq } }, select: { sha256: true, objectKey: true } });
    if (winner?.objectKey !== objectKey) await deps.store.delete(objectKey);
    return winner?.sha256 === sha
      ? Response.json(logChunkResponse.parse({ stored: false, truncated: false }))
      : refuse(409, "seq_conflict", `Chunk ${seq} of this attempt was stored with other content.`);
  }
  // The live view is best effort: Postgres and the object store are the archive (DESIGN.md invariant 2).
  await deps.redis
    .xadd(liveLogStreamKey(deps.prefix, tenantId, live.jobRunId), "MAXLEN", "~", deps.streamMaxLen, "*", "attempt", attemptId, "seq", seq, "step", stepIndex, "ts", timestamp, "data", text)
    .catch(() => undefined);
  return Response.json(logChunkResponse.parse({ stored: true, truncated }));
}
