// The audit log (DESIGN.md invariant 9): who did what to which target, when, from where. Append-only: the
// database refuses UPDATE, DELETE and TRUNCATE on AuditEvent (migration audit_log_append_only), so this file only
// ever inserts and reads. Reads are tenant-scoped by the client they take; platform events (tenantId null: a
// sign-in attempt on an account no tenant holds) are reachable through db.system only.
import type { Database } from "./database";
import type { Prisma } from "./generated/prisma/client";
import type { ActorKind } from "./generated/prisma/enums";
import type { TenantClient } from "./tenant-scope";

/**
 * Every action name recorded here. New privileged actions add a name (dotted, `<area>.<what happened>`), so the
 * dashboard's filter and anyone grepping the log see one vocabulary.
 */
export const AUDIT_ACTIONS = {
  /** A password sign-in that succeeded (details: email, method); one row per tenant the account belongs to. */
  signInSucceeded: "auth.sign_in.succeeded",
  /** A password sign-in refused (details: email tried, reason: wrong_password | unknown_account | invalid_input). */
  signInFailed: "auth.sign_in.failed",
  /** A sign-in refused by the rate limiter before the password was checked (details: email, which limit). */
  signInRateLimited: "auth.sign_in.rate_limited",
  /** A stored password hash upgraded to the current scrypt parameters on a successful sign-in. */
  passwordRehashed: "auth.password.rehashed",
  /** A password replaced by the system (the seed retiring the published demo password on a non-loopback host). */
  passwordReset: "auth.password.reset",
  /** A user account created (the seed's admin; details say whether its password was published or generated). */
  userCreated: "user.created",
  membershipCreated: "membership.created",
  /** details: from, to. */
  membershipRoleChanged: "membership.role_changed",
  membershipRemoved: "membership.removed",
  /** An admin invited someone by email or GitHub login (details: email or githubLogin, role, expiresAt; never the token). */
  invitationCreated: "invitation.created",
  invitationRevoked: "invitation.revoked",
  /** An invitation accepted: the membership it made (details: invitation, role, how it matched). */
  invitationAccepted: "invitation.accepted",
  /** A variable (`vars` context) set or deleted (details: scope, name; the value too, since variables are not secret). */
  variableCreated: "variable.create",
  variableUpdated: "variable.update",
  variableDeleted: "variable.delete",
  /** A runner exchanged a pool registration token for its credential (details: pool, name, version, firstTime). */
  runnerRegistered: "runner.registered",
  poolCreated: "pool.created",
  /** details: the fields that changed, old and new. */
  poolUpdated: "pool.updated",
  poolRegistrationTokenRotated: "pool.registration_token.rotated",
  poolDeleted: "pool.deleted",
  /** An admin drained a runner: it finishes its current job and claims no new one (details: pool, runner). */
  runnerDrained: "runner.drained",
  /** An admin removed a runner: its row and credential are gone (details: pool, runner, the job it was running). */
  runnerRemoved: "runner.removed",
  /** A plain git source connected (details: name, url, repository). */
  gitSourceCreated: "git_source.created",
  /** A git source's post-receive notify secret replaced (details: name). */
  gitSourceSecretRotated: "git_source.secret.rotated",
  /** A tenant opted in to (or out of) sending its secrets to a shared pool (details: pool, secrets). */
  poolSecretsOptIn: "pool.secrets_opt_in",
  /** Which workflow folders a repository reads changed (details: repository, from, to). */
  repositoryWorkflowFoldersUpdated: "repository.workflow_folders.update",
  environmentCreated: "environment.created",
  environmentUpdated: "environment.updated",
  environmentDeleted: "environment.deleted",
  protectionRuleCreated: "environment.protection_rule.created",
  protectionRuleUpdated: "environment.protection_rule.updated",
  protectionRuleDeleted: "environment.protection_rule.deleted",
  // Recorded before this module existed, by their own handlers; listed so the vocabulary is in one place.
  secretCreated: "secret.create",
  secretUpdated: "secret.update",
  secretDeleted: "secret.delete",
  runDispatched: "run.dispatch",
  runCanceled: "run.cancel",
  /** details: mode, jobKey, the new runAttempt, how many jobs re-run (a person, or GitHub's Re-run: actor SYSTEM). */
  runRerun: "run.rerun",
  /** A maintainer approved a fork's pull request run held by the tenant's policy (details: why it was held, event, ref). */
  runApproved: "run.approve",
  /** A maintainer declined (cancelled) a fork's pull request run held by the tenant's policy (details: as runApproved). */
  runRejected: "run.reject",
  jobCanceled: "job.cancel",
  deploymentApproved: "deployment.approve",
  deploymentRejected: "deployment.reject",
  githubInstallationLinked: "github.installation.linked",
  /** A personal API token made (details: name, scopes, expiresAt, via: page | token | password); one row per tenant of its user. */
  apiTokenCreated: "api_token.created",
  /** A personal API token revoked (details: name); one row per tenant of its user. */
  apiTokenRevoked: "api_token.revoked",
  /** A maintainer deleted a run's artifact from the run page (details: run, name, size, sha256, whether its bytes were removed). */
  artifactDeleted: "artifact.deleted",
  /** A tenant's workflow settings changed (details: the new values). */
  tenantSettingsUpdated: "tenant.settings.update",
} as const;

/** A name from AUDIT_ACTIONS, or a GitHub installation event (`github.<event>.<action>`, packages/github sync). */
export type AuditAction = (typeof AUDIT_ACTIONS)[keyof typeof AUDIT_ACTIONS] | `github.${string}`;

export interface AuditRecord {
  /** The tenant whose admins may read it; null for a platform event no tenant owns. */
  tenantId: string | null;
  actor: { kind: ActorKind; id?: string | null };
  action: AuditAction;
  target: { type: string; id: string };
  /** What an admin needs to understand the change; never a secret or a password. */
  details?: Prisma.InputJsonObject;
  /** The client's address, for actions that came over HTTP. */
  ip?: string | null;
}

function row(record: AuditRecord): Prisma.AuditEventCreateManyInput {
  return {
    tenantId: record.tenantId,
    actorKind: record.actor.kind,
    actorId: record.actor.id ?? null,
    action: record.action,
    targetType: record.target.type,
    targetId: record.target.id,
    ...(record.details ? { data: record.details } : {}),
    ip: record.ip ?? null,
  };
}

/** Appends one or more events (one statement, so a sign-in's rows per tenant land together or not at all). */
export async function recordAudit(database: Database, ...records: AuditRecord[]): Promise<void> {
  if (records.length === 0) return;
  await database.system("audit: append events (tenant or platform)").auditEvent.createMany({ data: records.map(row) });
}

export interface AuditPage {
  events: { id: string; at: Date; actorKind: ActorKind; actorId: string | null; action: string; targetType: string; targetId: string; details: Prisma.JsonValue | null; ip: string | null }[];
  /** Pass back as `cursor` for the next (older) page; null when this page is the last. */
  nextCursor: string | null;
}

/** What to narrow a tenant's audit log to; every field is optional and they combine. */
export interface AuditFilter {
  /** The acting user's (or runner's) id. */
  actorId?: string;
  /** An action name, or a prefix ending in "." (e.g. "membership." for every membership change). */
  action?: string;
  /** The target's type (Membership, Invitation, Secret, …) and, optionally, its id. */
  targetType?: string;
  targetId?: string;
  /** createdAt ≥ since and < until. */
  since?: Date;
  until?: Date;
}

/**
 * One tenant's events, newest first, `limit` per page; `cursor` is the id the previous page ended before. Walks the
 * [tenantId, id] index backwards, so a page costs its rows plus those the filter skips.
 */
export async function listAudit(scoped: TenantClient, options: { limit: number; cursor?: string } & AuditFilter): Promise<AuditPage> {
  const rows = await scoped.auditEvent.findMany({
    where: {
      ...(options.cursor ? { id: { lt: BigInt(options.cursor) } } : {}),
      ...(options.action ? (options.action.endsWith(".") ? { action: { startsWith: options.action } } : { action: options.action }) : {}),
      ...(options.actorId ? { actorId: options.actorId } : {}),
      ...(options.targetType ? { targetType: options.targetType } : {}),
      ...(options.targetId ? { targetId: options.targetId } : {}),
      ...(options.since || options.until ? { createdAt: { ...(options.since ? { gte: options.since } : {}), ...(options.until ? { lt: options.until } : {}) } } : {}),
    },
    orderBy: { id: "desc" },
    take: options.limit + 1,
  });
  const page = rows.slice(0, options.limit);
  return {
    events: page.map((event) => ({
      id: event.id.toString(),
      at: event.createdAt,
      actorKind: event.actorKind,
      actorId: event.actorId,
      action: event.action,
      targetType: event.targetType,
      targetId: event.targetId,
      details: event.data,
      ip: event.ip,
    })),
    nextCursor: rows.length > options.limit ? (page.at(-1)?.id.toString() ?? null) : null,
  };
}
