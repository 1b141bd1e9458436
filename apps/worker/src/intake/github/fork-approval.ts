// The tenant's fork pull request policy at intake: a `pull_request` run of a pull request from a fork whose author
// GitHub calls a first-time contributor is created held for a maintainer's approval when the tenant asks for it
// (`Tenant.forkPullRequests` = APPROVE_FIRST_TIME; the rule itself is @gantry/github's forkApprovalReason).
import type { Database, Repository } from "@gantry/db";
import { forkApprovalReason, type ForkPullRequestFacts } from "@gantry/github";

/** Why this pull request's run waits for approval; undefined: it runs at once. */
export async function forkApprovalFor(db: Database, repository: Repository, pull: ForkPullRequestFacts): Promise<string | undefined> {
  if (!pull.fromFork) return undefined;
  const ctx = { tenantId: repository.tenantId, actor: { kind: "SYSTEM" as const, id: "github-intake" } };
  const tenant = await db.forTenant(ctx).tenant.findUniqueOrThrow({ where: { id: repository.tenantId }, select: { forkPullRequests: true } });
  return forkApprovalReason(tenant.forkPullRequests, pull) ?? undefined;
}
