// The `vars` context of one job (docs/variables.md): the tenant's variables, under its repository's, under its
// environment's — the narrowest scope wins, names compared without case as GitHub's are. Job-level expressions
// (`if:`, `runs-on`, `environment`, `concurrency`) see the tenant's and the repository's, since the environment is
// not entered yet; the claim adds the environment's for the job's steps, and sends the result to the runner.
import { secretScopes, type Database, type JobSecretScope, type TenantContext } from "@gantry/db";

export type VarsContext = Record<string, string>;

/** tenant < repo:<id> < env:<id>. */
const rank = (scope: string) => (scope.startsWith("env:") ? 2 : scope.startsWith("repo:") ? 1 : 0);

/** Rows of several scopes as one context, the narrowest scope's value winning under the winner's spelling. */
function layer(rows: { scope: string; name: string; value: string }[]): VarsContext {
  const byName = new Map<string, { name: string; value: string }>();
  for (const row of [...rows].sort((a, b) => rank(a.scope) - rank(b.scope))) byName.set(row.name.toUpperCase(), { name: row.name, value: row.value });
  return Object.fromEntries([...byName.values()].map((variable) => [variable.name, variable.value]));
}

export async function jobVariables(db: Database, ctx: TenantContext, scope: JobSecretScope): Promise<VarsContext> {
  const scopes = await secretScopes(db, ctx, scope);
  return layer(await db.forTenant(ctx).variable.findMany({ where: { scope: { in: scopes } }, select: { scope: true, name: true, value: true } }));
}

/**
 * A claimed job's variables, its environment's included, in one statement that needs only the claim's ids — so the
 * claim reads it beside the job, run and repository instead of after them (docs/runner-protocol.md, round trips).
 */
export async function claimedJobVariables(db: Database, ctx: TenantContext, claimed: { jobId: string; runId: string }): Promise<VarsContext> {
  const rows = await db.system("claim: the claimed job's variables (tenant, repository, environment), of its tenant").$queryRaw<{ scope: string; name: string; value: string }[]>`
    SELECT v."scope", v."name", v."value"
    FROM "WorkflowRun" w JOIN "JobRun" j ON j."id" = ${claimed.jobId} AND j."tenantId" = w."tenantId"
    LEFT JOIN "Environment" e ON e."tenantId" = w."tenantId" AND e."repositoryId" = w."repositoryId" AND e."name" = j."environmentName"
    JOIN "Variable" v ON v."tenantId" = w."tenantId" AND (v."scope" = 'tenant' OR v."scope" = 'repo:' || w."repositoryId" OR v."scope" = 'env:' || e."id")
    WHERE w."id" = ${claimed.runId} AND w."tenantId" = ${ctx.tenantId}`;
  return layer(rows);
}
