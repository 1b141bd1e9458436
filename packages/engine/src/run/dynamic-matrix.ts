// A matrix built from `${{ }}` — typically `fromJSON(needs.prepare.outputs.matrix)` — is known only once the job's
// needs are done. The compiler plans such a job as one placeholder (`dynamicMatrix` in the plan); here the worker
// evaluates it with the job's contexts and replaces the placeholder with its cells (transitions.expandMatrixJob).
import { transitions, type Database, type JobRun, type TenantContext, type WorkflowRun } from "@gantry/db";
import { expandDynamicJob, isWorkflowPlan } from "@gantry/workflow-schema";

export type MatrixExpansionResult = { ok: true; cellIds: string[] } | { ok: false; error: string };

export async function expandDynamicMatrix(db: Database, ctx: TenantContext, run: WorkflowRun, job: JobRun, contexts: Record<string, unknown>): Promise<MatrixExpansionResult> {
  // The plan intake stored is the compiler's WorkflowPlan, as JSON: checked before it is trusted.
  const plan = run.plan;
  if (!isWorkflowPlan(plan)) return { ok: false, error: "the run's stored plan is not a workflow plan" };
  const expanded = expandDynamicJob(plan, job.key, contexts);
  if (!expanded.ok) return expanded;
  const cells = expanded.plan.jobs.filter((planned) => expanded.keys.includes(planned.key));
  if (cells.length === 0) return { ok: false, error: "the matrix has no cells" };
  // The stored plan may have changed since `run` was read (another expansion in the same pass): expand that one.
  const revisePlan = (stored: unknown): object => {
    const again = isWorkflowPlan(stored) ? expandDynamicJob(stored, job.key, contexts) : undefined;
    return again?.ok ? again.plan : expanded.plan;
  };
  const result = await transitions.expandMatrixJob(db.system("expand a dynamic matrix"), ctx, { runId: run.id, jobId: job.id, cells, revisePlan });
  return { ok: true, cellIds: result.cellIds };
}
