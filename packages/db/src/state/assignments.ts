// Assigning a job to a runner: the job transition and the attempt row, atomically.
import { Prisma } from "../generated/prisma/client";
import { attemptId as makeAttemptId } from "../ids";
import type { TenantContext } from "../tenant-scope";
import type { SqlRunner } from "./conditional-update";
import { markJobAssigned } from "./jobs";

export interface Assignment {
  attemptId: string;
  attempt: number;
  leaseExpiresAt: Date;
}

/**
 * Moves the job to RUNNING with attempt n+1 and creates JobAttempt n+1 (deterministic id) holding a lease, under
 * the run attempt the run is on (`github.run_attempt`), with the attempt's job token (its hash) when given.
 * One statement: the transition and the attempt row commit together, in one round trip (the claim is on the path
 * from a ready job to its runner). null: someone else assigned it first, or it is no longer waiting.
 */
export async function assignJob(
  sql: SqlRunner,
  ctx: TenantContext,
  input: { jobId: string; expectedAttempt: number; runnerId?: string; leaseMs: number; jobTokenHash?: string },
): Promise<Assignment | null> {
  const attempt = input.expectedAttempt + 1;
  const id = makeAttemptId(input.jobId, attempt);
  // The lease is measured on the database's clock, the same clock every lease check uses. The job row read here is
  // the statement's snapshot (its run does not change); the FOR UPDATE lock is the transition's.
  const moved = await markJobAssigned(sql, ctx, input.jobId, input.expectedAttempt, "assigned", Prisma.sql`
      INSERT INTO "JobAttempt" ("id", "tenantId", "jobRunId", "number", "runnerId", "leaseExpiresAt", "runAttempt", "jobTokenHash")
      SELECT ${id}, u."tenantId", u."id", ${attempt}, ${input.runnerId ?? null},
             now() + make_interval(secs => ${input.leaseMs / 1000}), r."runAttempt", ${input.jobTokenHash ?? null}
      FROM updated u JOIN "JobRun" j ON j."id" = u."id" JOIN "WorkflowRun" r ON r."id" = j."runId"
      RETURNING "leaseExpiresAt"`);
  if (!moved.changed) return null;
  const leaseExpiresAt = moved.also?.leaseExpiresAt;
  // Cannot happen (a job's run exists by its foreign key); said loudly should it ever.
  if (!(leaseExpiresAt instanceof Date)) throw new Error(`JobAttempt ${id} was not created with job ${input.jobId}'s transition`);
  return { attemptId: id, attempt, leaseExpiresAt };
}
