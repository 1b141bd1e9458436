// LogChunk rows on the logs route's hot path (apps/web/src/server/runner-api/logs.ts), in plain SQL on the pool:
// a runner printing tens of MB/s sends a batch every few tens of milliseconds, and Prisma's query compiler cost
// more CPU per batch than Postgres did (bench/log-latency.ts, a CPU profile of the route). Every statement is
// scoped by tenant, as forTenant() would scope it.
import type { SqlClient } from "./client";
import { deterministicId } from "./ids";

export interface StoredChunkRef {
  seq: number;
  sha256: string;
  objectKey: string;
}

export interface NewLogChunk {
  seq: number;
  stepIndex: number | null;
  byteOffset: number;
  byteLength: number;
  sha256: string;
  objectKey: string;
}

/** The attempt's chunks stored with seqs in [first, last] (the batch's idempotency keys). */
export async function storedChunks(sql: SqlClient, tenantId: string, attemptId: string, first: number, last: number): Promise<StoredChunkRef[]> {
  const { rows } = await sql.query<StoredChunkRef>(
    `SELECT seq, sha256, "objectKey" FROM "LogChunk" WHERE "tenantId" = $1 AND "attemptId" = $2 AND seq BETWEEN $3 AND $4 ORDER BY seq`,
    [tenantId, attemptId, first, last],
  );
  return rows;
}

/** The attempt's last stored chunk before `seq`: where its stored log ends, and which seq comes next. */
export async function lastChunkBefore(sql: SqlClient, tenantId: string, attemptId: string, seq: number): Promise<{ seq: number; end: number } | undefined> {
  const { rows } = await sql.query<{ seq: number; end: string }>(
    `SELECT seq, ("byteOffset" + "byteLength")::text AS "end" FROM "LogChunk" WHERE "tenantId" = $1 AND "attemptId" = $2 AND seq < $3 ORDER BY seq DESC LIMIT 1`,
    [tenantId, attemptId, seq],
  );
  const row = rows[0];
  return row ? { seq: row.seq, end: Number(row.end) } : undefined;
}

/**
 * Inserts the chunks in one statement. `conflict` when any seq was stored meanwhile (a concurrent copy of the
 * batch won): nothing of this call is stored then, and the caller compares what is.
 */
export async function insertChunks(sql: SqlClient, tenantId: string, attemptId: string, chunks: readonly NewLogChunk[]): Promise<"inserted" | "conflict"> {
  if (chunks.length === 0) return "inserted";
  const column = <T>(pick: (chunk: NewLogChunk) => T) => chunks.map(pick);
  try {
    await sql.query(
      `INSERT INTO "LogChunk" (id, "tenantId", "attemptId", seq, "stepIndex", "byteOffset", "byteLength", sha256, "objectKey")
       SELECT id, $2, $3, seq, "stepIndex", "byteOffset", "byteLength", sha256, "objectKey"
       FROM unnest($1::text[], $4::int[], $5::int[], $6::bigint[], $7::int[], $8::text[], $9::text[]) AS t(id, seq, "stepIndex", "byteOffset", "byteLength", sha256, "objectKey")`,
      [
        column((chunk) => deterministicId("log", attemptId, chunk.seq)),
        tenantId,
        attemptId,
        column((chunk) => chunk.seq),
        column((chunk) => chunk.stepIndex),
        column((chunk) => String(chunk.byteOffset)),
        column((chunk) => chunk.byteLength),
        column((chunk) => chunk.sha256),
        column((chunk) => chunk.objectKey),
      ],
    );
    return "inserted";
  } catch (error) {
    if ((error as { code?: unknown }).code === "23505") return "conflict";
    throw error;
  }
}
