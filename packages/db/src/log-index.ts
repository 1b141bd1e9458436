// Log search's index (docs/web.md "Log search"): an ended attempt's archived log, as stored (masked again on
// ingest by the logs route), cut into lines and written to LogLine in bulk, off the logs hot path (the worker's
// index-attempt-log job, and its catch-up). Idempotent: a line is keyed by (attempt, step, line number) and a second
// run of the same attempt inserts nothing; LogIndexState says an attempt is done. Rows go with their attempt (cascade).
import type { Database } from "./database";

/** A line longer than this is indexed (and shown in a hit) up to here: minified bundles are not worth a trigram each. */
export const MAX_INDEXED_LINE_CHARS = 2000;
/** Lines per INSERT: big enough to amortise the round trip, small enough to keep a statement's arrays modest. */
const INSERT_BATCH = 5000;
/** Objects read side by side. */
const READ_PARALLEL = 16;

export interface IndexedLine {
  /** The chunk's step index (0-based, as stored). */
  stepIndex: number;
  /** 1-based within the step's log: the n-th `\n`-terminated line of the step's stored text. */
  lineNumber: number;
  text: string;
}

// Colours and cursor moves are not searched for, and would show as junk in a hit.
// eslint-disable-next-line no-control-regex
const ANSI = /\u001b\[[0-9;?]*[A-Za-z]|\u001b\][^\u0007]*\u0007/g;

/**
 * The lines of one attempt's chunks (in seq order): each step's chunks joined and split at `\n`, numbered from 1 per
 * step, the way the job page numbers its line permalinks (`#step-<stepIndex+1>-line-<n>`). Blank lines are counted,
 * not returned; chunks without a step are not indexed.
 */
export function linesOfLog(chunks: Iterable<{ stepIndex: number | null; text: string }>): IndexedLine[] {
  const pending = new Map<number, { text: string; next: number }>();
  const lines: IndexedLine[] = [];
  const emit = (stepIndex: number, raw: string, lineNumber: number) => {
    const text = raw.replace(/\r$/, "").replace(ANSI, "").slice(0, MAX_INDEXED_LINE_CHARS);
    if (text.trim() !== "") lines.push({ stepIndex, lineNumber, text });
  };
  for (const chunk of chunks) {
    if (chunk.stepIndex === null) continue;
    const step = pending.get(chunk.stepIndex) ?? { text: "", next: 1 };
    const parts = (step.text + chunk.text).split("\n");
    step.text = parts.pop() ?? "";
    for (const part of parts) emit(chunk.stepIndex, part, step.next++);
    pending.set(chunk.stepIndex, step);
  }
  // A step's last line without a newline is a line too.
  for (const [stepIndex, step] of pending) if (step.text !== "") emit(stepIndex, step.text, step.next);
  return lines;
}

/** Inserts lines in multi-row statements (unnest); lines stored before are skipped, so a repeat inserts nothing. */
export async function insertLogLines(database: Database, tenantId: string, attemptId: string, lines: readonly IndexedLine[]): Promise<number> {
  const sql = database.sql("log search: index an attempt's lines");
  let inserted = 0;
  for (let start = 0; start < lines.length; start += INSERT_BATCH) {
    const batch = lines.slice(start, start + INSERT_BATCH);
    const result = await sql.query(
      `INSERT INTO "LogLine" ("tenantId", "attemptId", "stepIndex", "lineNumber", text)
       SELECT $1, $2, s, n, t FROM unnest($3::int[], $4::int[], $5::text[]) AS u(s, n, t)
       ON CONFLICT ("attemptId", "stepIndex", "lineNumber") DO NOTHING`,
      [tenantId, attemptId, batch.map((line) => line.stepIndex), batch.map((line) => line.lineNumber), batch.map((line) => line.text)],
    );
    inserted += result.rowCount ?? 0;
  }
  return inserted;
}

export type IndexOutcome = { outcome: "indexed"; lines: number; inserted: number } | { outcome: "already" | "not-ended" | "unknown" };

/**
 * Indexes one ended attempt's stored log, reading each chunk's text with `readText` (the object store's gunzipped
 * bytes). A repeat (double delivery, the catch-up racing the job) finds it done or inserts nothing.
 */
export async function indexAttemptLog(database: Database, tenantId: string, attemptId: string, readText: (objectKey: string) => Promise<string>): Promise<IndexOutcome> {
  const sql = database.sql("log search: an attempt's chunks to index");
  const { rows: attempts } = await sql.query<{ status: string; indexed: boolean }>(
    `SELECT a.status::text AS status, EXISTS (SELECT 1 FROM "LogIndexState" s WHERE s."attemptId" = a.id) AS indexed
     FROM "JobAttempt" a WHERE a."tenantId" = $1 AND a.id = $2`,
    [tenantId, attemptId],
  );
  const attempt = attempts[0];
  if (!attempt) return { outcome: "unknown" };
  if (attempt.indexed) return { outcome: "already" };
  // A live attempt's log still grows: it is indexed once it ends (its last line may still be cut).
  if (attempt.status === "ASSIGNED" || attempt.status === "RUNNING") return { outcome: "not-ended" };
  const { rows: chunks } = await sql.query<{ stepIndex: number | null; objectKey: string }>(
    `SELECT "stepIndex", "objectKey" FROM "LogChunk" WHERE "tenantId" = $1 AND "attemptId" = $2 ORDER BY seq`,
    [tenantId, attemptId],
  );
  const texts: string[] = new Array<string>(chunks.length);
  for (let start = 0; start < chunks.length; start += READ_PARALLEL) {
    await Promise.all(chunks.slice(start, start + READ_PARALLEL).map(async (chunk, offset) => (texts[start + offset] = await readText(chunk.objectKey))));
  }
  const lines = linesOfLog(chunks.map((chunk, index) => ({ stepIndex: chunk.stepIndex, text: texts[index] ?? "" })));
  const inserted = await insertLogLines(database, tenantId, attemptId, lines);
  await sql.query(`INSERT INTO "LogIndexState" ("attemptId", "tenantId", lines) VALUES ($1, $2, $3) ON CONFLICT ("attemptId") DO NOTHING`, [attemptId, tenantId, lines.length]);
  return { outcome: "indexed", lines: lines.length, inserted };
}

/** Ended attempts with a stored log and no index yet (lost, timed out, cancelled, or a job that never ran). */
export async function attemptsToIndex(database: Database, limit: number): Promise<{ tenantId: string; attemptId: string }[]> {
  const { rows } = await database.sql("log search: ended attempts not indexed yet").query<{ tenantId: string; attemptId: string }>(
    `SELECT a."tenantId", a.id AS "attemptId" FROM "JobAttempt" a
     WHERE a.status NOT IN ('ASSIGNED', 'RUNNING')
       AND NOT EXISTS (SELECT 1 FROM "LogIndexState" s WHERE s."attemptId" = a.id)
       AND EXISTS (SELECT 1 FROM "LogChunk" c WHERE c."attemptId" = a.id)
     ORDER BY a."createdAt" LIMIT $1`,
    [limit],
  );
  return rows;
}
