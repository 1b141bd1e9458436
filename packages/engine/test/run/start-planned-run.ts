// A run created from a compiled plan as intake creates one (a push of a fresh commit to main), then advanced once.
import { intake, type Database, type TenantContext } from "@gantry/db";
import type { WorkflowPlan } from "@gantry/workflow-schema";
import { advanceRun } from "../../src/run/advance-run";

let commits = 0;

export async function startPlannedRun(db: Database, ctx: TenantContext, plan: WorkflowPlan, repositoryId = "repo"): Promise<string> {
  const sha = String(++commits).padStart(40, "0");
  const created = await intake.createRun(db.system("test"), ctx, {
    repositoryId,
    idempotencyKey: `push-${sha}`,
    workflowPath: plan.file,
    workflowName: plan.name,
    event: "push",
    ref: "refs/heads/main",
    sha,
    trusted: true,
    plan,
  });
  await advanceRun(db, ctx, created.runId);
  return created.runId;
}
