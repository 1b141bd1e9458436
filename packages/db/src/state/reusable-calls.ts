// A job that calls a reusable workflow never takes a runner. Starting it is one transaction — the caller
// QUEUED → RUNNING, one QUEUED JobRun per called job (callerId, the call's inputs), the called jobs added to the
// run's stored plan — conditional on the caller still being QUEUED, so two workers starting it at once
// add the called jobs once. It ends (RUNNING → its conclusion, with the call's outputs) when they all have.
import { Prisma } from "../generated/prisma/client";
import type { RawPrismaClient } from "../client";
import { jobRunId } from "../ids";
import { jobRunRow, type PlannedJobRow } from "../intake/create-run";
import type { TenantContext } from "../tenant-scope";
import { conditionalTransition, type SqlRunner } from "./conditional-update";
import { revisePlan } from "./plan-revision";
import type { Conclusion, RunStatus } from "./statuses";

export interface ReusableCallStart {
  runId: string;
  /** The calling job's id. */
  jobId: string;
  /** The called workflow's jobs, planned with keys under the caller's (needs as plan keys). */
  called: PlannedJobRow[];
  /** The `inputs` context of every called job. */
  inputs: Prisma.InputJsonObject;
}

const withJobs = (plan: unknown, jobs: PlannedJobRow[]): object => {
  const stored: { jobs?: unknown } = plan && typeof plan === "object" ? plan : {};
  return { ...stored, jobs: [...(Array.isArray(stored.jobs) ? stored.jobs : []), ...jobs] };
};

export async function startReusableCall(prisma: RawPrismaClient, ctx: TenantContext, call: ReusableCallStart): Promise<{ changed: boolean; calledIds: string[] }> {
  return prisma.$transaction((tx) => startReusableCallIn(tx, ctx, call));
}

/** `startReusableCall` inside a transaction the caller holds (a matrix of calls under max-parallel takes its lock first). */
export async function startReusableCallIn(tx: Prisma.TransactionClient, ctx: TenantContext, call: ReusableCallStart): Promise<{ changed: boolean; calledIds: string[] }> {
  const calledIds = call.called.map((job) => jobRunId(call.runId, job.key));
  const started = await conditionalTransition<RunStatus>(tx, ctx, {
    entity: "JobRun",
    id: call.jobId,
    from: ["QUEUED"],
    to: "RUNNING",
    set: [Prisma.sql`"startedAt" = now()`],
    reason: `calls a reusable workflow: ${calledIds.length} job(s)`,
  });
  if (!started.changed) return { changed: false, calledIds: [] };
  const caller = await tx.jobRun.findFirstOrThrow({ where: { id: call.jobId, tenantId: ctx.tenantId }, select: { priority: true } });
  await tx.jobRun.createMany({
    data: call.called.map((job) => ({ ...jobRunRow(ctx, call.runId, job), priority: caller.priority, callerId: call.jobId, inputs: call.inputs })),
  });
  await revisePlan(tx, ctx, call.runId, (plan) => withJobs(plan, call.called));
  return { changed: true, calledIds };
}

/** RUNNING → the call's conclusion, with its outputs; only for a calling job (it has no attempt to name). */
export function finishReusableCall(sql: SqlRunner, ctx: TenantContext, jobId: string, conclusion: Conclusion, outputs: Record<string, string>, failureReason?: string) {
  return conditionalTransition<RunStatus>(sql, ctx, {
    entity: "JobRun",
    id: jobId,
    from: ["RUNNING"],
    to: conclusion,
    set: [
      Prisma.sql`"finishedAt" = now()`,
      Prisma.sql`"outputs" = ${JSON.stringify(outputs)}::jsonb`,
      Prisma.sql`"failureKind" = ${failureReason === undefined ? null : "USER"}::"FailureKind"`,
      Prisma.sql`"failureReason" = ${failureReason ?? null}`,
    ],
    where: [Prisma.sql`t."attempt" = 0`],
    reason: failureReason ?? "every called job ended",
  });
}
