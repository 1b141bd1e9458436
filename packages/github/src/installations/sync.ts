// Applies `installation` and `installation_repositories` events to the Installation and Repository rows:
// the first install creates the tenant; suspend/unsuspend/delete mark the installation; repositories added
// are connected, removed ones are detached (their runs stay). Idempotent, so a redelivery or the worker's
// replay of a stored delivery changes nothing twice.
import { deterministicId, type Database, type TenantContext } from "@gantry/db";
import type { GithubInstallationRepository } from "../events/common";
import type { InstallationEvent, InstallationRepositoriesEvent } from "../events/installation";

export type InstallationChange = { name: "installation"; payload: InstallationEvent } | { name: "installation_repositories"; payload: InstallationRepositoriesEvent };

export interface InstallationSyncResult {
  tenantId: string | null;
  installationRowId: string | null;
  tenantCreated: boolean;
  repositoriesAdded: number;
  repositoriesRemoved: number;
}

export const installationRowId = (githubInstallationId: number) => deterministicId("ins", "github", githubInstallationId);
export const githubRepositoryRowId = (githubRepoId: number) => deterministicId("repo", "github", githubRepoId);
/** The tenant a first install creates when nobody said where it goes (the webhook's case). */
export const installationTenantId = (githubInstallationId: number) => deterministicId("ten", "github", githubInstallationId);

const slugOf = (login: string) =>
  login
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, "-")
    .replace(/^-+|-+$/g, "")
    .slice(0, 40) || "github";

/**
 * The installation's tenant: the one it is in; on the first install `intoTenantId` when given (an admin installed
 * it from that tenant), else a new tenant named after the account.
 */
async function tenantFor(db: Database, installation: InstallationEvent["installation"], intoTenantId?: string): Promise<{ tenantId: string; created: boolean }> {
  const sys = db.system("github installation: find or create the tenant before it is known");
  const existing = await sys.installation.findUnique({ where: { githubInstallationId: BigInt(installation.id) }, select: { tenantId: true } });
  if (existing) return { tenantId: existing.tenantId, created: false };
  if (intoTenantId) return { tenantId: intoTenantId, created: false };
  const id = installationTenantId(installation.id);
  const base = slugOf(installation.account.login);
  // Deterministic id: two racing deliveries of the same install make one tenant. A taken slug gets a suffix.
  for (const slug of [base, `${base}-gh${installation.id}`]) {
    const { count } = await sys.tenant.createMany({ data: [{ id, slug, name: installation.account.login }], skipDuplicates: true });
    if (count === 1) return { tenantId: id, created: true };
    if (await sys.tenant.findUnique({ where: { id }, select: { id: true } })) return { tenantId: id, created: false };
  }
  throw new Error(`could not create a tenant for GitHub installation ${installation.id} (slugs ${base} and ${base}-gh${installation.id} are taken)`);
}

async function connect(db: Database, ctx: TenantContext, installationRow: string, repositories: GithubInstallationRepository[]): Promise<number> {
  const scoped = db.forTenant(ctx);
  for (const repo of repositories) {
    await scoped.repository.upsert({
      where: { githubRepoId: BigInt(repo.id) },
      // GitHub-connected: .github/workflows is read by default (packages/sources workflow-folders.ts).
      create: { id: githubRepositoryRowId(repo.id), tenantId: ctx.tenantId, fullName: repo.full_name, githubRepoId: BigInt(repo.id), installationId: installationRow, readGithubWorkflows: true },
      update: { fullName: repo.full_name, installationId: installationRow },
    });
  }
  return repositories.length;
}

async function detach(db: Database, ctx: TenantContext, installationRow: string, githubRepoIds: number[]): Promise<number> {
  if (githubRepoIds.length === 0) return 0;
  const { count } = await db.forTenant(ctx).repository.updateMany({
    where: { installationId: installationRow, githubRepoId: { in: githubRepoIds.map((id) => BigInt(id)) } },
    data: { installationId: null },
  });
  return count;
}

/**
 * An installation's repositories set to what GitHub lists now (`listInstallationRepositories`): the listed ones
 * connected as a webhook's `repositories_added` would be, the tenant's others of the installation detached as
 * `repositories_removed` would be. For "Sync now" (a missed webhook); the caller audits who asked.
 */
export async function reconcileInstallationRepositories(db: Database, ctx: TenantContext, installationRow: string, listed: GithubInstallationRepository[]): Promise<{ added: string[]; removed: string[] }> {
  const before = await db.forTenant(ctx).repository.findMany({ where: { installationId: installationRow }, select: { githubRepoId: true, fullName: true } });
  const listedIds = new Set(listed.map((repo) => BigInt(repo.id)));
  const gone = before.filter((repo) => repo.githubRepoId !== null && !listedIds.has(repo.githubRepoId));
  const knownIds = new Set(before.map((repo) => repo.githubRepoId));
  await connect(db, ctx, installationRow, listed);
  await detach(db, ctx, installationRow, gone.map((repo) => Number(repo.githubRepoId)));
  return { added: listed.filter((repo) => !knownIds.has(BigInt(repo.id))).map((repo) => repo.full_name), removed: gone.map((repo) => repo.fullName) };
}

export async function syncInstallation(db: Database, change: InstallationChange, now: Date = new Date(), options: { intoTenantId?: string } = {}): Promise<InstallationSyncResult> {
  const installation = change.payload.installation;
  const rowId = installationRowId(installation.id);
  const result: InstallationSyncResult = { tenantId: null, installationRowId: null, tenantCreated: false, repositoriesAdded: 0, repositoriesRemoved: 0 };

  // A deletion of an installation we never knew needs no tenant.
  if (change.name === "installation" && change.payload.action === "deleted") {
    const known = await db
      .system("github installation deleted: find its tenant")
      .installation.findUnique({ where: { githubInstallationId: BigInt(installation.id) }, select: { tenantId: true } });
    if (!known) return result;
    const ctx: TenantContext = { tenantId: known.tenantId, actor: { kind: "SYSTEM", id: `github-installation:${installation.id}` } };
    await db.forTenant(ctx).installation.updateMany({ where: { id: rowId }, data: { deletedAt: now } });
    await audit(db, ctx, "github.installation.deleted", rowId, { account: installation.account.login });
    return { ...result, tenantId: known.tenantId, installationRowId: rowId };
  }

  const tenant = await tenantFor(db, installation, options.intoTenantId);
  const ctx: TenantContext = { tenantId: tenant.tenantId, actor: { kind: "SYSTEM", id: `github-installation:${installation.id}` } };
  const suspended = change.name === "installation" && change.payload.action === "suspend";
  const fields = {
    accountLogin: installation.account.login,
    accountType: installation.account.type,
    ...(change.name === "installation" ? { suspendedAt: suspended ? now : null } : {}),
    ...(change.name === "installation" && change.payload.action === "created" ? { deletedAt: null } : {}),
  };
  // Who installed it: made the tenant's admin at their first GitHub sign-in while it has none (apps/web
  // server/github/installer-admin.ts). A fresh install (action created) names the installer again.
  const sender = change.name === "installation" && change.payload.action === "created" && change.payload.sender ? { senderLogin: change.payload.sender.login, senderGithubId: BigInt(change.payload.sender.id) } : {};
  await db.forTenant(ctx).installation.upsert({
    where: { githubInstallationId: BigInt(installation.id) },
    create: { id: rowId, tenantId: ctx.tenantId, githubInstallationId: BigInt(installation.id), accountLogin: fields.accountLogin, accountType: fields.accountType, suspendedAt: suspended ? now : null, ...sender },
    update: { ...fields, ...sender },
  });
  result.tenantId = tenant.tenantId;
  result.installationRowId = rowId;
  result.tenantCreated = tenant.created;

  if (change.name === "installation") {
    if (change.payload.repositories) result.repositoriesAdded = await connect(db, ctx, rowId, change.payload.repositories);
  } else {
    result.repositoriesAdded = await connect(db, ctx, rowId, change.payload.repositories_added);
    result.repositoriesRemoved = await detach(db, ctx, rowId, change.payload.repositories_removed.map((repo) => repo.id));
  }
  await audit(db, ctx, `github.${change.name}.${change.payload.action}`, rowId, {
    account: installation.account.login,
    added: result.repositoriesAdded,
    removed: result.repositoriesRemoved,
    ...(tenant.created ? { tenantCreated: true } : {}),
  });
  return result;
}

async function audit(db: Database, ctx: TenantContext, action: string, targetId: string, data: Record<string, string | number | boolean>): Promise<void> {
  await db.forTenant(ctx).auditEvent.create({
    data: { tenantId: ctx.tenantId, actorKind: "SYSTEM", actorId: ctx.actor.id ?? null, action, targetType: "Installation", targetId, data },
  });
}
