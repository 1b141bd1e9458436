// Log search's worker side: the index-attempt-log job (enqueued by the complete route, one per attempt) and the
// index-logs-catch-up tick for attempts that ended another way. The text is the stored objects' (masked on ingest).
import { gunzip } from "node:zlib";
import { promisify } from "node:util";
import { attemptsToIndex, indexAttemptLog, type Database, type IndexOutcome } from "@gantry/db";
import { indexAttemptLogJobId, type JobPayload, type Queues } from "@gantry/jobs";
import type { DirectoryObjectStore } from "@gantry/storage";

const gunzipAsync = promisify(gunzip);

/** A log object's text (the logs route stores each chunk gzipped). */
export const logObjectText = (store: DirectoryObjectStore) => async (objectKey: string) => (await gunzipAsync(await store.get(objectKey))).toString();

export async function indexAttemptLogJob(db: Database, store: DirectoryObjectStore, payload: JobPayload<"index-attempt-log">): Promise<IndexOutcome> {
  return indexAttemptLog(db, payload.tenantId, payload.attemptId, logObjectText(store));
}

/** Enqueues every ended, unindexed attempt (at most `limit`); the job ids make a repeat a no-op. */
export async function catchUpLogIndex(db: Database, queues: Pick<Queues, "addBulk">, limit: number): Promise<number> {
  const attempts = await attemptsToIndex(db, limit);
  await queues.addBulk("index-attempt-log", attempts.map((attempt) => ({ payload: attempt, jobId: indexAttemptLogJobId(attempt.attemptId) })));
  return attempts.length;
}
