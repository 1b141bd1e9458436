// The secret values one job receives (DESIGN.md invariant 8): only the names it references, from the tenant's,
// its repository's and its environment's secrets — the environment's winning over the repository's over the
// tenant's, as on GitHub. Decrypted for the claim's answer (and the logs route's masking) and nowhere stored.
import type { Database } from "./database";
import { secretStore } from "./secrets";
import type { TenantContext } from "./tenant-scope";

export interface JobSecretScope {
  repositoryId: string;
  /** The job's environment (`environment:`), when it has one. */
  environmentName?: string | null;
}

/** Low to high precedence. */
export async function secretScopes(database: Database, ctx: TenantContext, scope: JobSecretScope): Promise<string[]> {
  const scopes = ["tenant", `repo:${scope.repositoryId}`];
  if (scope.environmentName) {
    const environment = await database.forTenant(ctx).environment.findFirst({ where: { repositoryId: scope.repositoryId, name: scope.environmentName }, select: { id: true } });
    if (environment) scopes.push(`env:${environment.id}`);
  }
  return scopes;
}

/** `wanted.names` upper-cased (secretReferences); `all`: every secret of the job's scopes. */
export async function secretsForJob(database: Database, masterKey: Buffer, ctx: TenantContext, scope: JobSecretScope, wanted: { names: string[]; all: boolean }): Promise<Record<string, string>> {
  if (!wanted.all && wanted.names.length === 0) return {};
  const scopes = await secretScopes(database, ctx, scope);
  const scoped = database.forTenant(ctx);
  const rows = await scoped.secret.findMany({ where: { scope: { in: scopes } }, select: { scope: true, name: true } });
  const names = new Set(wanted.names);
  const chosen = rows.filter((row) => wanted.all || names.has(row.name.toUpperCase())).sort((a, b) => scopes.indexOf(a.scope) - scopes.indexOf(b.scope));
  const store = secretStore(scoped, ctx, masterKey);
  const values: Record<string, string> = {};
  for (const row of chosen) {
    const value = await store.reveal(row.scope, row.name);
    // Later (higher) scopes overwrite; names compare as GitHub's do, without case.
    for (const key of Object.keys(values)) if (key.toUpperCase() === row.name.toUpperCase()) delete values[key];
    if (value !== null) values[row.name] = value;
  }
  return values;
}
