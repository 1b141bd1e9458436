// The part of a run's stored plan that one job's claim needs, cut out by Postgres in one statement: the plan's head
// (file, name, env), the job's own entry and the entries of the jobs that called it (a called job's secrets come
// through its callers), and, for a matrix cell, its place among its matrix's cells. A 256-cell matrix's plan is
// ~100 KB: sending and parsing all of it for each claim made a fan-out cost O(cells²).
import type { SqlClient } from "./client";

export interface JobPlanSlice {
  /** The plan without its jobs: { file, name, env, concurrency } as stored (null fields when absent). */
  head: unknown;
  /** The job's entry first, then its caller's, its caller's caller's, … (empty when the plan has no such job). */
  chain: unknown[];
  /** For a matrix cell: its index among its matrix's cells (in plan order) and their number; null otherwise. */
  jobIndex: number | null;
  jobTotal: number | null;
}

export async function jobPlanSlice(sql: SqlClient, tenantId: string, jobId: string): Promise<JobPlanSlice | undefined> {
  const { rows } = await sql.query<{ head: unknown; chain: unknown[] | null; jobIndex: string | null; jobTotal: string | null }>(
    `WITH RECURSIVE run AS (
       SELECT r.plan, j.key FROM "JobRun" j JOIN "WorkflowRun" r ON r.id = j."runId" AND r."tenantId" = j."tenantId"
       WHERE j.id = $1 AND j."tenantId" = $2
     ), entries AS (
       SELECT e.value AS entry, e.ordinality AS place
       FROM run, jsonb_array_elements(CASE WHEN jsonb_typeof(run.plan->'jobs') = 'array' THEN run.plan->'jobs' ELSE '[]'::jsonb END) WITH ORDINALITY e
     ), own AS (
       SELECT entries.* FROM entries, run WHERE entries.entry->>'key' = run.key LIMIT 1
     ), chain AS (
       SELECT entry, 0 AS depth FROM own
       UNION
       SELECT callers.entry, chain.depth + 1 FROM entries callers JOIN chain ON callers.entry->>'key' = chain.entry->>'calledBy'
       WHERE chain.depth < 16
     ), cells AS (
       SELECT cell.place FROM entries cell, own
       WHERE own.entry ? 'matrix' AND cell.entry ? 'matrix'
         AND cell.entry->>'jobId' IS NOT DISTINCT FROM own.entry->>'jobId'
         AND cell.entry->>'calledBy' IS NOT DISTINCT FROM own.entry->>'calledBy'
     )
     SELECT jsonb_strip_nulls(jsonb_build_object('file', run.plan->'file', 'name', run.plan->'name', 'env', run.plan->'env', 'concurrency', run.plan->'concurrency')) AS head,
       (SELECT jsonb_agg(entry ORDER BY depth) FROM chain) AS chain,
       (SELECT count(*) FROM cells, own WHERE cells.place < own.place) AS "jobIndex",
       (SELECT NULLIF(count(*), 0) FROM cells) AS "jobTotal"
     FROM run`,
    [jobId, tenantId],
  );
  const row = rows[0];
  if (!row) return undefined;
  const jobTotal = row.jobTotal === null ? null : Number(row.jobTotal);
  return { head: row.head, chain: row.chain ?? [], jobIndex: jobTotal === null ? null : Number(row.jobIndex), jobTotal };
}
