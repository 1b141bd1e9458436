// What the workflow compiler needs to know about a tenant to run its tenant-aware checks.
import { poolsUsableBy, type Database, type TenantContext } from "@gantry/db";
import { actionsPolicySchema, type ActionsPolicy, type TenantContext as CompileContext } from "@gantry/workflow-schema";

export async function compileContextFor(db: Database, ctx: TenantContext, repositoryId: string): Promise<CompileContext> {
  const scoped = db.forTenant(ctx);
  // Secrets a job may name: the tenant's, the repository's, and those of the repository's environments.
  const environments = await scoped.environment.findMany({ where: { repositoryId }, select: { id: true } });
  const scopes = ["tenant", `repo:${repositoryId}`, ...environments.map((environment) => `env:${environment.id}`)];
  const [tenant, pools, secrets] = await Promise.all([
    scoped.tenant.findUniqueOrThrow({ where: { id: ctx.tenantId } }),
    db.system("pools serving a tenant").runnerPool.findMany({
      where: poolsUsableBy(ctx.tenantId),
      select: { labels: true },
    }),
    scoped.secret.findMany({ where: { scope: { in: scopes } }, select: { name: true } }),
  ]);
  return {
    poolLabels: [...new Set(pools.flatMap((pool) => pool.labels))],
    secretNames: [...new Set(secrets.map((secret) => secret.name))],
    maxTimeoutMinutes: tenant.maxTimeoutMinutes,
    injectionIsError: tenant.injectionLintError,
    allowedActions: storedActionsPolicy(tenant.id, tenant.allowedActions),
  };
}

/** The stored policy, checked again: a value no writer could have made is the platform's fault, never "allow all". */
function storedActionsPolicy(tenantId: string, stored: unknown): ActionsPolicy {
  const parsed = actionsPolicySchema.safeParse(stored);
  if (!parsed.success) throw new Error(`tenant ${tenantId} has an unreadable allowed-actions policy: ${parsed.error.issues.map((issue) => issue.message).join("; ")}`);
  return parsed.data;
}
