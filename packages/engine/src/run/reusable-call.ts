// A job that calls a local reusable workflow (`uses: ./.github/workflows/x.yml`): when its needs are done the
// worker adds the called workflow's jobs to the run (transitions.startReusableCall) and the caller waits RUNNING,
// without a runner, until they have all ended; then it ends with their folded result and the call's outputs.
import { transitions, type Database, type JobRun, type Prisma, type TenantContext, type WorkflowRun } from "@gantry/db";
import { calledWorkflow, callOutputs, expandReusableCall, isWorkflowPlan } from "@gantry/workflow-schema";
import { foldResults, resultOf, resultsByJobId } from "../contexts/conclusions";

export type CallStart = { ok: true; calledIds: string[] } | { ok: false; error: string };

/** Starts the call; inside `tx` when given (a matrix of calls under max-parallel admits it under its lock). */
export async function startCall(db: Database, ctx: TenantContext, run: WorkflowRun, caller: JobRun, contexts: Record<string, unknown>, tx?: Prisma.TransactionClient): Promise<CallStart> {
  // The plan intake stored is the compiler's WorkflowPlan, as JSON: checked before it is trusted.
  if (!isWorkflowPlan(run.plan)) return { ok: false, error: "the run's stored plan is not a workflow plan" };
  const expanded = expandReusableCall(run.plan, caller.key, contexts);
  if (!expanded.ok) return expanded;
  const call = { runId: run.id, jobId: caller.id, called: expanded.jobs, inputs: expanded.inputs };
  const started = tx ? await transitions.startReusableCallIn(tx, ctx, call) : await transitions.startReusableCall(db.system("start a reusable workflow call"), ctx, call);
  return { ok: true, calledIds: started.calledIds };
}

/**
 * Ends every running call whose called jobs have all ended: failure if one failed, cancelled if one was cancelled,
 * else success; outputs from `on.workflow_call.outputs`. Returns the ids of the calls it ended. The contexts are
 * asked for only when a call ends (they cost reads of the run's facts, and most advances end no call).
 */
export async function finishEndedCalls(db: Database, ctx: TenantContext, run: WorkflowRun & { jobs: JobRun[] }, contextsOf: () => Promise<Record<string, unknown>>): Promise<string[]> {
  if (!isWorkflowPlan(run.plan)) return [];
  const plan = run.plan;
  const ended: string[] = [];
  for (const caller of run.jobs) {
    if (caller.status !== "RUNNING" || caller.attempt !== 0) continue;
    const planned = plan.jobs.find((job) => job.key === caller.key);
    const callee = planned?.uses ? calledWorkflow(plan, planned) : undefined;
    const called = run.jobs.filter((job) => job.callerId === caller.id);
    if (!callee || called.length === 0 || called.some((job) => resultOf(job) === null)) continue;
    const jobs = resultsByJobId(called);
    const result = foldResults(called.map((job) => resultOf(job) ?? "skipped"));
    const outputs = callOutputs(callee, { ...(await contextsOf()), jobs, inputs: called[0]?.inputs ?? {} });
    const conclusion = !outputs.ok || result === "failure" ? "FAILED" : result === "cancelled" ? "CANCELED" : "SUCCEEDED";
    const reason = !outputs.ok ? `could not evaluate the call's outputs: ${outputs.error}` : result === "failure" ? "a called job failed" : undefined;
    const finished = await transitions.finishReusableCall(db.system("end a reusable workflow call"), ctx, caller.id, conclusion, outputs.ok ? outputs.outputs : {}, reason);
    if (finished.changed) ended.push(caller.id);
  }
  return ended;
}
