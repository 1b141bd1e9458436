// What the runner routes need to mask an attempt's secrets (apps/web runner-api/job-secrets.ts), in one plain SQL
// statement: the attempt's sealed GITHUB_TOKEN, its job, its run, and only the job's own entry of the run's plan —
// a 256-cell matrix's plan is ~100 KB, and reading all of it for every attempt made each job cost O(cells).
import type { SqlClient } from "./client";

export interface AttemptSecretsSubject {
  tenantId: string;
  githubTokenSealed: Uint8Array | null;
  key: string;
  environmentName: string | null;
  repositoryId: string;
  trusted: boolean;
  /** The job's entry of WorkflowRun.plan.jobs (by key); null when the plan has none. */
  planned: unknown;
}

export async function attemptSecretsSubject(sql: SqlClient, attemptId: string): Promise<AttemptSecretsSubject | undefined> {
  const { rows } = await sql.query<AttemptSecretsSubject>(
    `SELECT a."tenantId", a."githubTokenSealed", j.key, j."environmentName", r."repositoryId", r.trusted,
       (SELECT e FROM jsonb_array_elements(CASE WHEN jsonb_typeof(r.plan->'jobs') = 'array' THEN r.plan->'jobs' ELSE '[]'::jsonb END) e
        WHERE e->>'key' = j.key LIMIT 1) AS planned
     FROM "JobAttempt" a JOIN "JobRun" j ON j.id = a."jobRunId" JOIN "WorkflowRun" r ON r.id = j."runId"
     WHERE a.id = $1`,
    [attemptId],
  );
  return rows[0];
}
