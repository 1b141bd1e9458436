// Whether an attempt may still send logs and step reports: it is ASSIGNED or RUNNING, its lease is live (on the
// database's clock) and its job has not moved on to another attempt. Otherwise the 409 to send, naming why.
import type { Database } from "@gantry/db";
import { refuse } from "./respond";

export async function reportableAttempt(database: Database, attemptId: string): Promise<Reportable> {
  const rows = await database.system("runner API: may this attempt still report").$queryRaw<AttemptLiveness[]>`
    SELECT a."status"::text AS status, a."leaseExpiresAt" > now() AS live, j."attempt" = a."number" AS current, a."jobRunId"
    FROM "JobAttempt" a JOIN "JobRun" j ON j."id" = a."jobRunId" WHERE a."id" = ${attemptId}`;
  return reportableOf(rows[0]);
}

type Reportable = { ok: true; jobRunId: string } | { ok: false; response: Response };
interface AttemptLiveness {
  status: string;
  live: boolean;
  current: boolean;
  jobRunId: string;
}

/** The same answer from a row already read (the job-token lookup reads these columns with the attempt). */
export function reportableOf(row: AttemptLiveness | undefined): Reportable {
  if (!row) return { ok: false, response: refuse(404, "unknown_attempt", "No such attempt.") };
  if (row.status === "LOST") return { ok: false, response: refuse(409, "attempt_lost", "The attempt was lost (its lease lapsed); the job runs again elsewhere. Stop the job.") };
  if (row.status !== "ASSIGNED" && row.status !== "RUNNING") return { ok: false, response: refuse(409, "attempt_ended", `The attempt has ended (${row.status}); nothing more is accepted for it.`) };
  if (!row.live) return { ok: false, response: refuse(409, "lease_lost", "The lease lapsed; stop the job.") };
  if (!row.current) return { ok: false, response: refuse(409, "attempt_superseded", "The job has moved on to another attempt; stop the job.") };
  return { ok: true, jobRunId: row.jobRunId };
}
