// Reads of one attempt with its job, in plain SQL, for the runner routes every job calls (heartbeat, complete):
// one statement where Prisma made two (attempt, then job) and spent more CPU compiling them than Postgres spent
// answering (bench/fanout.ts: 256 jobs at once keep the control plane's one thread busy). Scoped by tenant, as
// forTenant() would scope them.
import type { SqlClient } from "./client";

export interface AttemptToComplete {
  number: number;
  jobRunId: string;
  runnerId: string | null;
  job: { runId: string; poolId: string | null; maxAttempts: number };
}

/** What completing the attempt needs: its number and runner, its job's run, pool and attempt budget. */
export async function attemptToComplete(sql: SqlClient, tenantId: string, attemptId: string): Promise<AttemptToComplete | undefined> {
  const { rows } = await sql.query<{ number: number; jobRunId: string; runnerId: string | null; runId: string; poolId: string | null; maxAttempts: number }>(
    `SELECT a.number, a."jobRunId", a."runnerId", j."runId", j."poolId", j."maxAttempts"
     FROM "JobAttempt" a JOIN "JobRun" j ON j.id = a."jobRunId" AND j."tenantId" = a."tenantId"
     WHERE a.id = $1 AND a."tenantId" = $2`,
    [attemptId, tenantId],
  );
  const row = rows[0];
  return row && { number: row.number, jobRunId: row.jobRunId, runnerId: row.runnerId, job: { runId: row.runId, poolId: row.poolId, maxAttempts: row.maxAttempts } };
}

export interface AttemptHeartbeatState {
  status: string;
  leaseExpiresAt: Date;
  job: { status: string; attempt: number };
}

/** The attempt's state after a heartbeat renewed (or did not renew) its lease, with its job's. */
export async function attemptHeartbeatState(sql: SqlClient, tenantId: string, attemptId: string): Promise<AttemptHeartbeatState | undefined> {
  // The lease as epoch milliseconds: the column is a timestamp without time zone (UTC), which pg would read as local time.
  const { rows } = await sql.query<{ status: string; leaseMs: string; jobStatus: string; jobAttempt: number }>(
    `SELECT a.status::text AS status, round(extract(epoch FROM a."leaseExpiresAt") * 1000)::bigint::text AS "leaseMs",
       j.status::text AS "jobStatus", j.attempt AS "jobAttempt"
     FROM "JobAttempt" a JOIN "JobRun" j ON j.id = a."jobRunId" AND j."tenantId" = a."tenantId"
     WHERE a.id = $1 AND a."tenantId" = $2`,
    [attemptId, tenantId],
  );
  const row = rows[0];
  return row && { status: row.status, leaseExpiresAt: new Date(Number(row.leaseMs)), job: { status: row.jobStatus, attempt: row.jobAttempt } };
}
