// Intake of the events Gantry made itself (source "gantry", packages/jobs gantry-events.ts): a workflow_run of one
// of its runs, or a repository_dispatch from its API. Both run the default branch's matching workflows.
import { intake, type WebhookDelivery } from "@gantry/db";
import { repositoryDispatchEventPayload, triggeringRunOf, workflowRunEvent } from "@gantry/jobs";
import { runAtDefaultBranch, type DefaultBranchEvent } from "./default-branch-runs";
import type { IntakeResult } from "./process-git-push";
import type { GithubIntakeDeps } from "./github/types";

const issues = (error: { issues: { path: PropertyKey[]; message: string }[] }) => error.issues.map((issue) => `${issue.path.join(".")}: ${issue.message}`).join("; ");

function eventOf(delivery: WebhookDelivery): DefaultBranchEvent | string {
  if (delivery.event === "workflow_run") {
    const parsed = workflowRunEvent.safeParse(delivery.payload);
    if (!parsed.success) return issues(parsed.error);
    const { action, workflow_run: run } = parsed.data;
    const triggering = triggeringRunOf(delivery.deliveryId);
    if (triggering !== run.id) return `delivery ${delivery.deliveryId} is not about run ${run.id}`;
    return {
      event: "workflow_run",
      // The branch filters look at the triggering run's branch.
      trigger: { name: "workflow_run", action, workflow: run.name, ...(run.head_branch !== null ? { branch: run.head_branch } : {}) },
      deliveryId: delivery.id,
      // Each run attempt's events start their workflows again (a re-run, as on GitHub).
      keyPart: run.run_attempt > 1 ? `${run.id}:attempt-${run.run_attempt}:${action}` : `${run.id}:${action}`,
      ...(parsed.data.sender ? { triggeredBy: parsed.data.sender.login } : {}),
    };
  }
  if (delivery.event === "repository_dispatch") {
    const parsed = repositoryDispatchEventPayload.safeParse(delivery.payload);
    if (!parsed.success) return issues(parsed.error);
    return {
      event: "repository_dispatch",
      trigger: { name: "repository_dispatch", action: parsed.data.action },
      deliveryId: delivery.id,
      keyPart: delivery.deliveryId,
      ...(parsed.data.sender ? { triggeredBy: parsed.data.sender.login } : {}),
    };
  }
  return `no intake for gantry ${delivery.event}`;
}

export async function processGantryEvent(deps: GithubIntakeDeps, delivery: WebhookDelivery): Promise<IntakeResult> {
  const sys = deps.db.system("intake settles a gantry event");
  const event = eventOf(delivery);
  if (typeof event === "string" || !delivery.repositoryId) {
    const reason = typeof event === "string" ? event : "delivery names no repository";
    await intake.settleDelivery(sys, delivery.id, "FAILED", reason);
    return { outcome: "IGNORED", reason, runs: [] };
  }
  const result = await runAtDefaultBranch(deps, delivery.repositoryId, event);
  await intake.settleDelivery(sys, delivery.id, result.outcome, result.reason);
  return result;
}
