import type { FairScheduler } from "@gantry/scheduler";
// The one procedure chain (STYLE.md practice 2): public → authed → tenant → role.
// - authed: UNAUTHORIZED when nobody is signed in (the only 401).
// - tenant: the tenant slug comes from the input; the membership is looked up once and the context gains
//   `tenant`, `role` and `db` (a client that can only reach this tenant's rows, DESIGN.md invariant 9).
// - role: FORBIDDEN naming the role that is missing. Roles: viewer < developer < maintainer < admin.
// A caller with an API token (Authorization: Bearer gat_…) is its user, narrowed by the token's scopes: authed
// refuses a bad token (UNAUTHORIZED, saying why) and a query without runs:read or another call without runs:write;
// role("ADMIN") also needs the admin scope (api-tokens/scopes.ts, docs/api.md).
import type { Database, Role, TenantClient } from "@gantry/db";
import type { GithubClient } from "@gantry/github";
import type { Queues } from "@gantry/jobs";
import { initTRPC, TRPCError } from "@trpc/server";
import type { Redis } from "ioredis";
import { z } from "zod";
import type { ApiTokenCaller } from "./api-tokens/authenticate";
import { scopesAllow, type ApiScope } from "./api-tokens/scopes";
import type { SessionUser } from "./auth";
import { hasRole, roleLabel } from "./roles";

export interface TRPCContext {
  /** The signed-in user, or the user of the API token the call came with. */
  session: SessionUser | null;
  /** The call came with an API token: its scopes narrow what the session's user may do. */
  apiToken: ApiTokenCaller | null;
  /** A bearer token came and was refused (unknown, revoked, expired): why. */
  bearerRefusal: string | null;
  database: Database;
  redis: Redis;
  /** Producer for the worker's queues: what a procedure asks the worker to do (advance a run, take in an event). */
  queues: Pick<Queues, "add">;
  /** The GitHub App's client, for reading GitHub-connected repositories; absent or null: no App. */
  github?: () => GithubClient | null;
  /** GANTRY_MASTER_KEY, decoded, for sealing secrets; absent or null: secrets cannot be set here. */
  masterKey?: Buffer | null;
  /** GANTRY_TENANT_ADMINS_SET_PRIORITY: tenant admins may set their tenant's priority class; absent: they may not. */
  tenantAdminsSetPriority?: boolean;
  /** The fair queue, read to say why a job waits (runs.get); absent: reasons that need it are left out. */
  scheduler?: FairScheduler;
  now: () => Date;
}

export function createTRPCContext(options: {
  session: SessionUser | null;
  apiToken?: ApiTokenCaller | null;
  bearerRefusal?: string | null;
  database: Database;
  redis: Redis;
  queues: Pick<Queues, "add">;
  github?: () => GithubClient | null;
  masterKey?: Buffer | null;
  tenantAdminsSetPriority?: boolean;
  scheduler?: FairScheduler;
  now?: () => Date;
}): TRPCContext {
  return { ...options, apiToken: options.apiToken ?? null, bearerRefusal: options.bearerRefusal ?? null, now: options.now ?? (() => new Date()) };
}

/** One problem with one form field, for the UI to show next to it (e.g. a workflow_dispatch input). */
export interface FieldError {
  path: string[];
  message: string;
  /** The values that would be accepted, when there is a fixed set. */
  choices?: string[];
}

/** The cause of a BAD_REQUEST that lists every field's problem; the client gets them as `data.fieldErrors`. */
export class FieldErrors extends Error {
  override name = "FieldErrors";
  constructor(
    message: string,
    readonly fields: FieldError[],
  ) {
    super(message);
  }
}

/**
 * What a procedure requires, readable from the router (the role matrix test walks every procedure by it):
 * `access` says whether it is public, needs only a signed-in user, or is a tenant procedure; `role` is the least
 * role a tenant procedure needs (VIEWER for a plain tenant procedure).
 */
export type ProcedureMeta = { access: "public" } | { access: "authed" } | { access: "tenant"; role: Role };

const t = initTRPC
  .context<TRPCContext>()
  .meta<ProcedureMeta>()
  .create({
  errorFormatter: ({ shape, error }) => ({
    ...shape,
    data: {
      ...shape.data,
      zodIssues: error.cause instanceof z.ZodError ? error.cause.issues : null,
      fieldErrors: error.cause instanceof FieldErrors ? error.cause.fields : null,
    },
  }),
});

export const createTRPCRouter = t.router;
export const createCallerFactory = t.createCallerFactory;

export const publicProcedure = t.procedure.meta({ access: "public" });

/** FORBIDDEN unless the call is a session's or its token carries `needed`. */
export function requireTokenScope(ctx: Pick<TRPCContext, "apiToken">, needed: ApiScope, what: string): void {
  if (!ctx.apiToken || scopesAllow(ctx.apiToken.scopes, needed)) return;
  throw new TRPCError({ code: "FORBIDDEN", message: `This API token lacks the ${needed} scope, which ${what} needs (it has ${ctx.apiToken.scopes.join(", ") || "none"}).` });
}

export const authedProcedure = t.procedure.meta({ access: "authed" }).use(({ ctx, type, path, next }) => {
  if (ctx.bearerRefusal) throw new TRPCError({ code: "UNAUTHORIZED", message: ctx.bearerRefusal });
  if (!ctx.session) throw new TRPCError({ code: "UNAUTHORIZED", message: "Sign in first." });
  requireTokenScope(ctx, type === "mutation" ? "runs:write" : "runs:read", `${path} (a ${type})`);
  return next({ ctx: { session: ctx.session } });
});

/** Tenant slugs: lowercase letters, digits and dashes. */
export const tenantSlug = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[a-z0-9][a-z0-9-]*$/, "tenant slugs use lowercase letters, digits and dashes");

export const tenantInput = z.object({ tenant: tenantSlug });

// The membership and role checks run before the procedure's own `.input(...)` is parsed (tRPC runs input parsers in
// chain order), so a caller without the role is refused without learning what the input should have been.
export const tenantProcedure = authedProcedure.meta({ access: "tenant", role: "VIEWER" }).input(tenantInput).use(async ({ ctx, input, next }) => {
  const membership = await ctx.database
    .system("tRPC: the caller's membership in the requested tenant")
    .membership.findFirst({
      where: { userId: ctx.session.userId, tenant: { slug: input.tenant } },
      select: { role: true, tenant: { select: { id: true, slug: true, name: true } } },
    });
  if (!membership) {
    // The same answer whether the tenant does not exist or the caller is not in it: no probing for names.
    throw new TRPCError({ code: "FORBIDDEN", message: `You are not a member of tenant '${input.tenant}'.` });
  }
  const { tenant, role } = membership;
  return next({
    ctx: {
      tenant,
      role,
      db: ctx.database.forTenant({ tenantId: tenant.id, actor: { kind: "USER", id: ctx.session.userId } }),
    },
  });
});

/** A tenant procedure that also needs at least `required` in that tenant. */
export function roleProcedure(required: Role) {
  return tenantProcedure.meta({ access: "tenant", role: required }).use(({ ctx, path, next }) => {
    if (required === "ADMIN") requireTokenScope(ctx, "admin", `${path} (an admin procedure)`);
    if (!hasRole(ctx.role, required)) {
      throw new TRPCError({
        code: "FORBIDDEN",
        message: `This needs the ${roleLabel(required)} role in tenant '${ctx.tenant.slug}'; you are a ${roleLabel(ctx.role)}.`,
      });
    }
    return next();
  });
}

export const viewerProcedure = roleProcedure("VIEWER");
export const developerProcedure = roleProcedure("DEVELOPER");
export const maintainerProcedure = roleProcedure("MAINTAINER");
export const adminProcedure = roleProcedure("ADMIN");

/** What a tenant procedure's handler receives as ctx. */
export interface TenantProcedureContext extends TRPCContext {
  session: SessionUser;
  tenant: { id: string; slug: string; name: string };
  role: Role;
  db: TenantClient;
}
