// Log search's query (docs/web.md "Log search"): a tenant's indexed log lines (log-index.ts) that contain every term
// of the query, case-insensitive, newest indexed first, narrowed by repository, branch, workflow, job and the run's
// date. Each term is an ILIKE '%term%' that LogLine's trigram index serves; the filters join the line's attempt, job
// and run. Keyset paging on LogLine.id (lines of later-indexed attempts first): a cursor is the last hit's id.
import { likeLiteral, refsFor, workflowPathsFor } from "./run-list";
import type { SqlClient } from "./client";

/** Trigram search needs three characters to narrow anything. */
export const MIN_TERM_CHARS = 3;

export interface LogSearchFilter {
  /** The repository's full name (`owner/name`). */
  repository?: string;
  /** A branch or tag name, or a whole ref. */
  branch?: string;
  /** The workflow file: its path, or its file name with or without extension. */
  workflow?: string;
  /** The job's key in the run (`build`, `test (20)`). */
  jobKey?: string;
  /** Runs created at or after this. */
  from?: Date;
  /** Runs created before this. */
  to?: Date;
}

export interface LogSearchQuery extends LogSearchFilter {
  /** What every hit contains (parseLogQuery). */
  terms: string[];
  limit: number;
  /** The `nextCursor` of the previous page. */
  cursor?: string;
}

export interface LogSearchHit {
  /** The line's row id: the cursor's unit. */
  id: string;
  runId: string;
  runNumber: number;
  workflowName: string;
  workflowPath: string;
  ref: string;
  repository: string;
  runCreatedAt: Date;
  jobKey: string;
  jobName: string;
  attempt: number;
  /** 1-based, as the job page's anchors count steps. */
  step: number;
  /** 1-based within the step's log. */
  line: number;
  text: string;
}

export class LogSearchQueryError extends Error {
  override name = "LogSearchQueryError";
}

/**
 * The terms of a query: "quoted phrases" as they are, other words split at spaces. Every term must be in the line.
 * Terms shorter than MIN_TERM_CHARS are refused when nothing else narrows the search.
 */
export function parseLogQuery(query: string): string[] {
  const terms: string[] = [];
  for (const match of query.matchAll(/"([^"]*)"|(\S+)/g)) {
    const term = (match[1] ?? match[2] ?? "").trim();
    if (term !== "" && !terms.includes(term)) terms.push(term);
  }
  if (terms.length === 0) throw new LogSearchQueryError("Type something to search for.");
  if (!terms.some((term) => term.length >= MIN_TERM_CHARS)) throw new LogSearchQueryError(`Search for at least ${MIN_TERM_CHARS} characters in a row (a word, a path, an error code).`);
  return terms;
}

export function decodeLogCursor(cursor: string): bigint {
  if (!/^[1-9][0-9]{0,18}$/.test(cursor)) throw new LogSearchQueryError("This cursor is not one a log search gave out; search again.");
  return BigInt(cursor);
}

/** Lines the first pass reads, newest first (~1 MB of text, tens of ms); each later pass reads GROWTH times more ids. */
const FIRST_WINDOW = 20_000;
const GROWTH = 8;

type HitRow = Omit<LogSearchHit, "step" | "line"> & { stepIndex: number; lineNumber: number };

/**
 * In passes over ranges of line ids, newest first, each GROWTH times wider than the one before, until a page is full:
 * one plan cannot serve both kinds of query. A common word fills the page from the newest lines (the first pass walks
 * the (tenantId, id) index and filters); the trigram index would have returned every matching line of the tenant to
 * be sorted. A rare token is found by the trigram index in each range (`id + 0` keeps the planner off the id order
 * there, which would read every line of the range to find a few).
 */
export async function searchLogs(sql: SqlClient, tenantId: string, query: LogSearchQuery): Promise<{ hits: LogSearchHit[]; nextCursor: string | null }> {
  const below = query.cursor !== undefined ? decodeLogCursor(query.cursor) : undefined;
  const { rows: top } = await sql.query<{ id: string | null }>(
    `SELECT max(id)::text AS id FROM "LogLine" WHERE "tenantId" = $1 ${below !== undefined ? "AND id < $2::bigint" : ""}`,
    below !== undefined ? [tenantId, below.toString()] : [tenantId],
  );
  const rows: HitRow[] = [];
  let high = top[0]?.id ? BigInt(top[0].id) + 1n : 0n;
  for (let width = BigInt(FIRST_WINDOW), first = true; high > 0n && rows.length <= query.limit; width *= BigInt(GROWTH), first = false) {
    const low = high > width ? high - width : 0n;
    rows.push(...(await hitRows(sql, tenantId, { ...query, limit: query.limit - rows.length }, { low, high, useIdOrder: first })));
    high = low;
  }
  const page = rows.slice(0, query.limit).map(({ stepIndex, lineNumber, ...row }) => ({ ...row, step: stepIndex + 1, line: lineNumber }));
  return { hits: page, nextCursor: rows.length > query.limit ? (page.at(-1)?.id ?? null) : null };
}

async function hitRows(sql: SqlClient, tenantId: string, query: LogSearchQuery, range: { low: bigint; high: bigint; useIdOrder: boolean }): Promise<HitRow[]> {
  const values: unknown[] = [tenantId];
  const param = (value: unknown) => {
    values.push(value);
    return `$${values.length}`;
  };
  const where = [`l."tenantId" = $1`];
  for (const term of query.terms) where.push(`l.text ILIKE ${param(`%${likeLiteral(term)}%`)}`);
  where.push(`l.id >= ${param(range.low.toString())}::bigint AND l.id < ${param(range.high.toString())}::bigint`);
  if (query.repository !== undefined) where.push(`repo."fullName" = ${param(query.repository)}`);
  if (query.branch !== undefined) where.push(`r.ref = ANY(${param(refsFor(query.branch))}::text[])`);
  if (query.workflow !== undefined) where.push(`r."workflowPath" = ANY(${param(workflowPathsFor(query.workflow))}::text[])`);
  if (query.jobKey !== undefined) where.push(`j.key = ${param(query.jobKey)}`);
  if (query.from !== undefined) where.push(`r."createdAt" >= ${param(query.from)}`);
  if (query.to !== undefined) where.push(`r."createdAt" < ${param(query.to)}`);
  const { rows } = await sql.query<HitRow>(
    `SELECT l.id::text AS id, r.id AS "runId", r."runNumber", r."workflowName", r."workflowPath", r.ref, repo."fullName" AS repository,
            r."createdAt" AS "runCreatedAt", j.key AS "jobKey", j.name AS "jobName", a.number AS attempt, l."stepIndex", l."lineNumber", l.text
     FROM "LogLine" l
     JOIN "JobAttempt" a ON a.id = l."attemptId" AND a."tenantId" = l."tenantId"
     JOIN "JobRun" j ON j.id = a."jobRunId" AND j."tenantId" = l."tenantId"
     JOIN "WorkflowRun" r ON r.id = j."runId" AND r."tenantId" = l."tenantId"
     JOIN "Repository" repo ON repo.id = r."repositoryId" AND repo."tenantId" = l."tenantId"
     WHERE ${where.join(" AND ")}
     ORDER BY ${range.useIdOrder ? "l.id" : "l.id + 0"} DESC
     LIMIT ${param(query.limit + 1)}`,
    values,
  );
  return rows;
}
