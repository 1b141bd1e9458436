// Assigning a job to a runner: the job transition and the attempt row, atomically.
import type { RawPrismaClient } from "../client";
import { attemptId as makeAttemptId } from "../ids";
import type { TenantContext } from "../tenant-scope";
import { markJobAssigned } from "./jobs";

export interface Assignment {
  attemptId: string;
  attempt: number;
  leaseExpiresAt: Date;
}

/**
 * Moves the job to RUNNING with attempt n+1 and creates JobAttempt n+1 (deterministic id) holding a lease, under
 * the run attempt the run is on (`github.run_attempt`).
 * null: someone else assigned it first, or it is no longer waiting.
 */
export async function assignJob(
  prisma: RawPrismaClient,
  ctx: TenantContext,
  input: { jobId: string; expectedAttempt: number; runnerId?: string; leaseMs: number },
): Promise<Assignment | null> {
  return prisma.$transaction(async (tx) => {
    const moved = await markJobAssigned(tx, ctx, input.jobId, input.expectedAttempt, "assigned");
    if (!moved.changed) return null;
    const attempt = input.expectedAttempt + 1;
    const id = makeAttemptId(input.jobId, attempt);
    // The lease is measured on the database's clock, the same clock every lease check uses.
    const rows = await tx.$queryRaw<{ leaseExpiresAt: Date }[]>`
      INSERT INTO "JobAttempt" ("id", "tenantId", "jobRunId", "number", "runnerId", "leaseExpiresAt", "runAttempt")
      SELECT ${id}, ${ctx.tenantId}, ${input.jobId}, ${attempt}, ${input.runnerId ?? null},
             now() + make_interval(secs => ${input.leaseMs / 1000}), r."runAttempt"
      FROM "JobRun" j JOIN "WorkflowRun" r ON r."id" = j."runId"
      WHERE j."id" = ${input.jobId} AND j."tenantId" = ${ctx.tenantId}
      RETURNING "leaseExpiresAt"`;
    const leaseExpiresAt = rows[0]?.leaseExpiresAt;
    if (!leaseExpiresAt) throw new Error(`JobAttempt ${id} was not created`);
    return { attemptId: id, attempt, leaseExpiresAt };
  });
}
