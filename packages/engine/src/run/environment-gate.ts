// Environment protection (`environment:` on a job): before a job whose needs are met may become ready, its
// environment's rules must let it through. A branch policy refuses refs outright; a wait timer holds the job
// until gatedAt + minutes; required reviewers hold it until an approval is decided or expires. The job stays
// QUEUED while held; everything the gate needs is in Postgres (gatedAt, Approval rows), so a timer lost with
// Redis only delays the next check, never loses it (DESIGN.md invariant 2).
import { protectionRuleConfig, transitions, type Database, type RawPrismaClient, type TenantContext } from "@gantry/db";
import { evaluateExpression, matchPatterns } from "@gantry/workflow-schema";
import type { z } from "zod";

export type GateDecision =
  | { kind: "open" }
  /** Held; dueAt is when the gate should be checked again (the wait timer's end, the approval's expiry). */
  | { kind: "held"; dueAt: Date; reason: string }
  | { kind: "refused"; reason: string };

/** `environment.name` after `${{ }}` evaluation; null when the job names none (or it evaluates empty). */
export function evaluateEnvironmentName(name: string | undefined, contexts: Record<string, unknown>): { ok: true; name: string | null } | { ok: false; error: string } {
  if (!name) return { ok: true, name: null };
  if (!name.includes("${{")) return { ok: true, name: name.trim() || null };
  let error: string | null = null;
  const value = name.replace(/\$\{\{([\s\S]*?)\}\}/g, (_match, expression: string) => {
    const result = evaluateExpression(expression.trim(), contexts);
    if (!result.ok) error ??= result.error;
    return result.ok && result.value !== null ? String(result.value) : "";
  });
  return error ? { ok: false, error } : { ok: true, name: value.trim() || null };
}

function refAllowed(ref: string, policy: { branches: string[]; tags: string[] }): boolean {
  if (ref.startsWith("refs/heads/")) return matchPatterns(policy.branches, ref.slice("refs/heads/".length));
  if (ref.startsWith("refs/tags/")) return matchPatterns(policy.tags, ref.slice("refs/tags/".length));
  return false;
}

export async function checkEnvironmentGate(
  db: Database,
  ctx: TenantContext,
  job: { id: string; repositoryId: string; ref: string },
  environmentName: string,
  now: Date = new Date(),
): Promise<GateDecision> {
  const sys: RawPrismaClient = db.system("environment gate");
  const environment = await db.forTenant(ctx).environment.findFirst({ where: { repositoryId: job.repositoryId, name: environmentName }, include: { rules: true } });
  // Like GitHub, an environment nobody configured has no protection; the job is still in it (its variables and secrets).
  if (!environment || environment.rules.length === 0) {
    await transitions.setJobEnvironment(sys, ctx, job.id, environmentName);
    return { kind: "open" };
  }
  const gatedAt = await transitions.markJobGated(sys, ctx, job.id, environmentName);
  if (!gatedAt) return { kind: "refused", reason: "the job is no longer queued" };

  const invalid = (kind: string, error: z.ZodError): GateDecision => ({
    kind: "refused",
    reason: `environment ${environmentName} has an invalid ${kind} rule: ${error.issues.map((issue) => `${issue.path.join(".") || "config"}: ${issue.message}`).join("; ")}`,
  });
  const held: { dueAt: Date; reason: string }[] = [];
  for (const rule of environment.rules) {
    switch (rule.kind) {
      case "BRANCH_POLICY": {
        const parsed = protectionRuleConfig.BRANCH_POLICY.safeParse(rule.config);
        if (!parsed.success) return invalid(rule.kind, parsed.error);
        const policy = parsed.data;
        if (!refAllowed(job.ref, policy)) {
          return { kind: "refused", reason: `${job.ref} may not deploy to environment ${environmentName} (allowed branches: ${policy.branches.join(", ") || "none"}; tags: ${policy.tags.join(", ") || "none"})` };
        }
        break;
      }
      case "WAIT_TIMER": {
        const parsed = protectionRuleConfig.WAIT_TIMER.safeParse(rule.config);
        if (!parsed.success) return invalid(rule.kind, parsed.error);
        const { minutes } = parsed.data;
        const dueAt = new Date(gatedAt.getTime() + minutes * 60_000);
        if (now < dueAt) held.push({ dueAt, reason: `wait timer of environment ${environmentName} (${minutes} min)` });
        break;
      }
      case "REQUIRED_REVIEWERS": {
        const parsed = protectionRuleConfig.REQUIRED_REVIEWERS.safeParse(rule.config);
        if (!parsed.success) return invalid(rule.kind, parsed.error);
        const { expiresInMinutes } = parsed.data;
        const approval = await transitions.requestApproval(sys, ctx, { jobRunId: job.id, environmentId: environment.id, expiresAt: new Date(gatedAt.getTime() + expiresInMinutes * 60_000) });
        let status = approval.status;
        if (status === "PENDING" && approval.expiresAt <= now && (await transitions.expireApproval(sys, ctx, approval.id)).changed) status = "EXPIRED";
        if (status === "REJECTED") return { kind: "refused", reason: `deployment to ${environmentName} was rejected by ${approval.decidedById ?? "a reviewer"}${approval.comment ? `: ${approval.comment}` : ""}` };
        if (status === "EXPIRED") return { kind: "refused", reason: `nobody approved the deployment to ${environmentName} within ${expiresInMinutes} min` };
        if (status === "PENDING") held.push({ dueAt: approval.expiresAt, reason: `waiting for a reviewer of environment ${environmentName}` });
        break;
      }
    }
  }
  if (held.length === 0) return { kind: "open" };
  const first = held.reduce((a, b) => (a.dueAt <= b.dueAt ? a : b));
  return { kind: "held", dueAt: first.dueAt, reason: held.map((entry) => entry.reason).join("; ") };
}
