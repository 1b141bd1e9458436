import { isTerminalRunStatus, transitions } from "@gantry/db";
import { TRPCError } from "@trpc/server";
import type { TenantProcedureContext } from "../../trpc";
import type { CancelRunInput } from "./cancel.schema";
import { statusWord } from "@gantry/workflow-schema/status-words";

/**
 * Cancels a run (every job that has not ended, then the run) or one job. Postgres changes here, at once, through
 * the state machine; a running attempt learns it from its next heartbeat and its runner stops the sandbox; the
 * worker is asked to advance the run (free its concurrency groups, decide dependents, report to GitHub).
 * Cancelling what has already ended is a CONFLICT naming its state.
 */
export async function cancelRunHandler({ ctx, input }: { ctx: TenantProcedureContext; input: CancelRunInput }) {
  const run = await ctx.db.workflowRun.findUnique({ where: { id: input.runId }, select: { id: true, status: true, jobs: { select: { id: true, key: true, status: true } } } });
  if (!run) throw new TRPCError({ code: "NOT_FOUND", message: `Run ${input.runId} does not exist in ${ctx.tenant.slug}.` });
  const tenantCtx = { tenantId: ctx.tenant.id, actor: { kind: "USER" as const, id: ctx.session.userId } };
  const sys = ctx.database.system("cancel from the API (tenant checked above)");
  const reason = `cancelled by ${ctx.session.email}`;
  let canceledJobs: string[];
  if (input.jobKey === undefined) {
    if (isTerminalRunStatus(run.status)) throw new TRPCError({ code: "CONFLICT", message: `Run ${run.id} has already ended (${statusWord("run", run.status).word}).` });
    ({ canceledJobs } = await transitions.cancelRunAndJobs(sys, tenantCtx, run.id, reason));
  } else {
    const job = run.jobs.find((candidate) => candidate.key === input.jobKey);
    if (!job) throw new TRPCError({ code: "NOT_FOUND", message: `Run ${run.id} has no job ${input.jobKey} (jobs: ${run.jobs.map((candidate) => candidate.key).join(", ")}).` });
    if (isTerminalRunStatus(job.status)) throw new TRPCError({ code: "CONFLICT", message: `Job ${job.key} has already ended (${statusWord("job", job.status).word}).` });
    canceledJobs = (await transitions.cancelJob(sys, tenantCtx, job.id, reason)).changed ? [job.id] : [];
  }
  await ctx.db.auditEvent.create({
    data: {
      tenantId: ctx.tenant.id,
      actorKind: "USER",
      actorId: ctx.session.userId,
      action: input.jobKey === undefined ? "run.cancel" : "job.cancel",
      targetType: input.jobKey === undefined ? "WorkflowRun" : "JobRun",
      targetId: input.jobKey === undefined ? run.id : (canceledJobs[0] ?? input.jobKey),
      data: { runId: run.id, canceledJobs },
    },
  });
  await ctx.queues.add("advance-run", { tenantId: ctx.tenant.id, runId: run.id }, `advance-${run.id}-cancel-${input.jobKey ?? "run"}`);
  return { runId: run.id, canceledJobs: canceledJobs.length };
}
