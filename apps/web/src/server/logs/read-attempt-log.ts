// An attempt's archived log, in order: the LogChunk rows (tenant-scoped) and their bytes from the object store.
import { gunzipSync } from "node:zlib";
import type { TenantClient } from "@gantry/db";
import type { DirectoryObjectStore } from "@gantry/storage";

export interface AttemptLogChunk {
  seq: number;
  stepIndex: number | null;
  text: string;
}

/** Chunks from `fromSeq` on (at most `limit`), and the seq to ask for next. */
export async function readAttemptLog(db: TenantClient, store: DirectoryObjectStore, attemptId: string, fromSeq = 0, limit = 1000): Promise<{ chunks: AttemptLogChunk[]; nextSeq: number }> {
  const rows = await db.logChunk.findMany({ where: { attemptId, seq: { gte: fromSeq } }, orderBy: { seq: "asc" }, take: limit, select: { seq: true, stepIndex: true, objectKey: true } });
  const chunks = await Promise.all(rows.map(async (row) => ({ seq: row.seq, stepIndex: row.stepIndex, text: gunzipSync(await store.get(row.objectKey)).toString() })));
  return { chunks, nextSeq: (rows.at(-1)?.seq ?? fromSeq - 1) + 1 };
}
