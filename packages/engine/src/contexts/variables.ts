// The `vars` context of one job (docs/variables.md): the tenant's variables, under its repository's, under its
// environment's — the narrowest scope wins, names compared without case as GitHub's are. Job-level expressions
// (`if:`, `runs-on`, `environment`, `concurrency`) see the tenant's and the repository's, since the environment is
// not entered yet; the claim adds the environment's for the job's steps, and sends the result to the runner.
import { secretScopes, type Database, type JobSecretScope, type TenantContext } from "@gantry/db";

export type VarsContext = Record<string, string>;

export async function jobVariables(db: Database, ctx: TenantContext, scope: JobSecretScope): Promise<VarsContext> {
  // Low to high precedence, the same scopes secrets use.
  const scopes = await secretScopes(db, ctx, scope);
  const rows = await db.forTenant(ctx).variable.findMany({ where: { scope: { in: scopes } }, select: { scope: true, name: true, value: true } });
  rows.sort((a, b) => scopes.indexOf(a.scope) - scopes.indexOf(b.scope));
  const byName = new Map<string, { name: string; value: string }>();
  for (const row of rows) byName.set(row.name.toUpperCase(), { name: row.name, value: row.value });
  return Object.fromEntries([...byName.values()].map((variable) => [variable.name, variable.value]));
}
