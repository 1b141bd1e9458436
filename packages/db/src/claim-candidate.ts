// What a claim must know of the job the fair queue picked before it makes the job an attempt, and of its run, in
// one statement: whether the job still waits (not cancelled, not held by a concurrency group), its attempt number
// (the transition expects it), the runners it avoids after an infrastructure failure, and whether its run is
// RUNNING yet (only the run's first assignment moves it there: later ones skip that statement).
import type { SqlClient } from "./client";

export interface ClaimCandidate {
  status: string;
  attempt: number;
  runId: string;
  heldByConcurrency: boolean;
  avoidRunnerIds: string[];
  runStatus: string;
}

export async function claimCandidate(sql: SqlClient, tenantId: string, jobId: string): Promise<ClaimCandidate | null> {
  const { rows } = await sql.query<ClaimCandidate>(
    `SELECT j.status::text AS status, j.attempt, j."runId", j."heldByConcurrency", j."avoidRunnerIds", r.status::text AS "runStatus"
     FROM "JobRun" j JOIN "WorkflowRun" r ON r.id = j."runId" AND r."tenantId" = j."tenantId"
     WHERE j.id = $1 AND j."tenantId" = $2`,
    [jobId, tenantId],
  );
  return rows[0] ?? null;
}
