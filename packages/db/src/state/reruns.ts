// Re-running a run: the one way a terminal run or job changes again (statuses.ts). One transaction — the run
// terminal → QUEUED with runAttempt n → n+1, conditional on runAttempt still being n (a double click or a
// redelivered webhook expects the same n, so only one of them re-runs), and each chosen job terminal → QUEUED (a
// reusable call whose called jobs exist: → RUNNING, it waits for them again). Nothing is deleted: earlier
// JobAttempt rows (their logs, steps, outputs and conclusions) stay, and a job's `attempt` keeps counting, so the
// re-run's attempts get new numbers. Jobs not chosen keep their state and outputs: a re-run job that needs them sees
// their earlier results.
import { Prisma } from "../generated/prisma/client";
import type { RawPrismaClient } from "../client";
import type { TenantContext } from "../tenant-scope";
import { conditionalTransition } from "./conditional-update";
import { TERMINAL_RUN_STATUSES, type RunStatus } from "./statuses";

export interface RerunJob {
  id: string;
  /** QUEUED: decided again from its needs. RUNNING: a reusable call that waits for its (re-run) called jobs. */
  to: "QUEUED" | "RUNNING";
  /** Infrastructure retries the job gets in this run attempt (the plan's retry.maxAttempts). */
  retryBudget: number;
}

export interface RerunRequest {
  runId: string;
  /** The run attempt the caller saw; the re-run happens only if the run is still on it. */
  expectedRunAttempt: number;
  jobs: RerunJob[];
  reason: string;
}

export type RerunOutcome = { changed: true; runAttempt: number; jobIds: string[] } | { changed: false };

export async function rerunRun(prisma: RawPrismaClient, ctx: TenantContext, request: RerunRequest): Promise<RerunOutcome> {
  const runAttempt = request.expectedRunAttempt + 1;
  return prisma.$transaction(async (tx) => {
    const run = await conditionalTransition<RunStatus>(tx, ctx, {
      entity: "WorkflowRun",
      id: request.runId,
      from: TERMINAL_RUN_STATUSES,
      to: "QUEUED",
      // startedAt and the group cleared: the run is admitted to its concurrency group again, like a new run.
      set: [
        Prisma.sql`"runAttempt" = ${runAttempt}`,
        Prisma.sql`"startedAt" = NULL`,
        Prisma.sql`"finishedAt" = NULL`,
        Prisma.sql`"concurrencyGroup" = NULL`,
        Prisma.sql`"concurrencyCancelInProgress" = false`,
      ],
      where: [Prisma.sql`t."runAttempt" = ${request.expectedRunAttempt}`],
      reason: `${request.reason} (run attempt ${runAttempt})`,
    });
    if (!run.changed) return { changed: false };
    const jobIds: string[] = [];
    for (const job of request.jobs) {
      const moved = await conditionalTransition<RunStatus>(tx, ctx, {
        entity: "JobRun",
        id: job.id,
        from: TERMINAL_RUN_STATUSES,
        to: job.to,
        set: [
          Prisma.sql`"runAttempt" = ${runAttempt}`,
          Prisma.sql`"maxAttempts" = t."attempt" + ${job.retryBudget}`,
          Prisma.sql`"outputs" = NULL`,
          Prisma.sql`"failureKind" = NULL`,
          Prisma.sql`"failureReason" = NULL`,
          Prisma.sql`"finishedAt" = NULL`,
          Prisma.sql`"startedAt" = ${job.to === "RUNNING" ? Prisma.sql`now()` : Prisma.sql`NULL`}`,
          Prisma.sql`"poolId" = NULL`,
          Prisma.sql`"readyAt" = NULL`,
          Prisma.sql`"retryNotBefore" = NULL`,
          Prisma.sql`"avoidRunnerIds" = ARRAY[]::text[]`,
          Prisma.sql`"concurrencyGroup" = NULL`,
          Prisma.sql`"concurrencyCancelInProgress" = false`,
          Prisma.sql`"heldByConcurrency" = false`,
          Prisma.sql`"gatedAt" = NULL`,
        ],
        where: [Prisma.sql`t."runId" = ${request.runId}`],
        reason: `${request.reason} (run attempt ${runAttempt})`,
      });
      if (moved.changed) jobIds.push(job.id);
    }
    return { changed: true, runAttempt, jobIds };
  });
}
