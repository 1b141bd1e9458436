// The attempt a runner's job token names, in plain SQL: every runner request (logs, heartbeat, step, complete,
// artifacts, caches) authenticates this way, and a busy job sends a logs batch every few tens of milliseconds,
// where Prisma's query compiler cost more CPU than the lookup itself (bench/log-latency.ts).
import type { SqlClient } from "./client";

export interface TokenAttempt {
  id: string;
  tenantId: string;
  jobRunId: string;
  number: number;
  /** Whether a GITHUB_TOKEN is sealed on the attempt (sealed at claim): only then is there one to revoke. */
  hasGithubToken: boolean;
  /** Read with the token, so the report routes need no second query to know whether the attempt may report. */
  status: string;
  /** The lease is live on the database's clock. */
  live: boolean;
  /** The job is still on this attempt. */
  current: boolean;
}

/** The attempt whose job token hashes to `tokenHash` (tokens.ts hashToken), if any. */
export async function attemptByJobTokenHash(sql: SqlClient, tokenHash: string): Promise<TokenAttempt | undefined> {
  const { rows } = await sql.query<TokenAttempt>(`SELECT a.id, a."tenantId", a."jobRunId", a.number, a."githubTokenSealed" IS NOT NULL AS "hasGithubToken", a.status::text AS status,
       a."leaseExpiresAt" > now() AS live, j.attempt = a.number AS current
     FROM "JobAttempt" a JOIN "JobRun" j ON j.id = a."jobRunId" WHERE a."jobTokenHash" = $1`, [tokenHash]);
  return rows[0];
}
