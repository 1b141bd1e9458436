// The intake job: processes one stored delivery, then settles it exactly once. A delivery that was already
// settled (a redelivered job, a second worker) is left alone.
import { intake } from "@gantry/db";
import { gitPushPayload, workflowDispatchPayload } from "@gantry/jobs";
import { processGitPush, type IntakeResult } from "./process-git-push";
import { processGithubDelivery } from "./github/process-github-delivery";
import type { GithubIntakeDeps } from "./github/types";
import { processWorkflowDispatch } from "./process-workflow-dispatch";
import { processGantryEvent } from "./gantry-events";

export async function processDelivery(deps: GithubIntakeDeps, deliveryRowId: string): Promise<IntakeResult | null> {
  const sys = deps.db.system("intake reads deliveries before the tenant is known");
  const delivery = await sys.webhookDelivery.findUnique({ where: { id: deliveryRowId } });
  if (!delivery || delivery.status !== "RECEIVED") return null;
  if (delivery.source === "github") return processGithubDelivery(deps, delivery);
  if (delivery.source === "gantry") return processGantryEvent(deps, delivery);
  if (delivery.source === "api" && delivery.event === "workflow_dispatch") {
    const dispatch = workflowDispatchPayload.safeParse(delivery.payload);
    if (!dispatch.success || !delivery.repositoryId) {
      const reason = dispatch.success ? "delivery names no repository" : dispatch.error.issues.map((issue) => `${issue.path.join(".")}: ${issue.message}`).join("; ");
      await intake.settleDelivery(sys, delivery.id, "FAILED", reason);
      return { outcome: "IGNORED", reason, runs: [] };
    }
    const result = await processWorkflowDispatch(deps, delivery.repositoryId, dispatch.data, delivery.id);
    await intake.settleDelivery(sys, delivery.id, result.outcome, result.reason);
    return result;
  }
  if (delivery.source !== "git" || delivery.event !== "push") {
    await intake.settleDelivery(sys, delivery.id, "IGNORED", `no intake for ${delivery.source} ${delivery.event} yet`);
    return { outcome: "IGNORED", reason: `no intake for ${delivery.source} ${delivery.event}`, runs: [] };
  }
  const payload = gitPushPayload.safeParse(delivery.payload);
  if (!payload.success || !delivery.repositoryId) {
    const reason = payload.success ? "delivery names no repository" : payload.error.issues.map((issue) => `${issue.path.join(".")}: ${issue.message}`).join("; ");
    await intake.settleDelivery(sys, delivery.id, "FAILED", reason);
    return { outcome: "IGNORED", reason, runs: [] };
  }
  const result = await processGitPush(deps, delivery.repositoryId, payload.data, delivery.id);
  await intake.settleDelivery(sys, delivery.id, result.outcome, result.reason);
  return result;
}
