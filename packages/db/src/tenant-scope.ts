import type { Prisma } from "./generated/prisma/client";
import type { RawPrismaClient } from "./client";

/** Who is acting, for which tenant. Every tenant query needs one (DESIGN.md invariant 9). */
export interface TenantContext {
  tenantId: string;
  actor: { kind: "USER" | "SYSTEM" | "RUNNER"; id?: string };
}

export class TenantScopeError extends Error {
  override name = "TenantScopeError";
}

/**
 * Which models belong to one tenant (a required tenantId column, or an optional one marked `// tenant-owned;` in
 * the schema: AuditEvent, whose platform events have none and so are out of every tenant's reach). A Record over
 * every model name, so a new model does not compile until someone decides; a test checks this against prisma/schema.prisma.
 */
const OWNERSHIP: Record<Prisma.ModelName, "tenant" | "shared"> = {
  Tenant: "tenant",
  User: "shared",
  Membership: "tenant",
  // An invitation belongs to its tenant; a personal API token to its user (it reaches tenants through memberships).
  Invitation: "tenant",
  ApiToken: "shared",
  TenantDataKey: "tenant",
  Installation: "tenant",
  GitSource: "tenant",
  Repository: "tenant",
  WebhookDelivery: "shared",
  WorkflowSchedule: "tenant",
  GitRefState: "tenant",
  WorkflowRun: "tenant",
  JobRun: "tenant",
  JobAttempt: "tenant",
  StepRun: "tenant",
  LogChunk: "tenant",
  LogLine: "tenant",
  LogIndexState: "tenant",
  Artifact: "tenant",
  CacheEntry: "tenant",
  ActionArchive: "tenant",
  ActionPin: "tenant",
  Secret: "tenant",
  Variable: "tenant",
  Environment: "tenant",
  ProtectionRule: "tenant",
  Approval: "tenant",
  ApprovalVote: "tenant",
  RunnerPool: "shared",
  RunnerPoolTenant: "tenant",
  Runner: "shared",
  AuditEvent: "tenant",
  StateTransition: "tenant",
};

/** Models with a required tenantId column (Tenant itself is scoped by its id). */
export const TENANT_MODELS: ReadonlySet<string> = new Set(
  Object.entries(OWNERSHIP)
    .filter(([model, owner]) => owner === "tenant" && model !== "Tenant")
    .map(([model]) => model),
);

const WHERE_OPERATIONS = new Set([
  "findUnique",
  "findUniqueOrThrow",
  "findFirst",
  "findFirstOrThrow",
  "findMany",
  "update",
  "updateMany",
  "updateManyAndReturn",
  "delete",
  "deleteMany",
  "count",
  "aggregate",
  "groupBy",
  "upsert",
]);
const DATA_OPERATIONS = new Set(["create", "createMany", "createManyAndReturn"]);

type Args = Record<string, unknown>;

function isRecord(value: unknown): value is Args {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function checkOwn(model: string, value: unknown, tenantId: string, where: string): void {
  if (value !== undefined && value !== tenantId) {
    throw new TenantScopeError(`${model}: ${where}.tenantId is another tenant's; a tenant-scoped query cannot reach it.`);
  }
}

function stampData(model: string, data: unknown, tenantId: string): unknown {
  if (Array.isArray(data)) return data.map((row) => stampData(model, row, tenantId));
  if (!isRecord(data)) throw new TenantScopeError(`${model}: create without data.`);
  checkOwn(model, data.tenantId, tenantId, "data");
  return { ...data, tenantId };
}

/** Adds the tenant to every where and every created row; refuses a query that names another tenant. */
export function scopeArgs(model: string, operation: string, args: Args, tenantId: string): Args {
  const tenantColumn = model === "Tenant" ? "id" : "tenantId";
  if (WHERE_OPERATIONS.has(operation)) {
    const where = isRecord(args.where) ? args.where : {};
    checkOwn(model, where[tenantColumn], tenantId, "where");
    const scoped: Args = { ...args, where: { ...where, [tenantColumn]: tenantId } };
    if (operation === "upsert") scoped.create = stampData(model, args.create, tenantId);
    if (isRecord(args.data)) checkOwn(model, args.data.tenantId, tenantId, "data");
    return scoped;
  }
  if (DATA_OPERATIONS.has(operation)) {
    if (model === "Tenant") throw new TenantScopeError("Tenants are created by the system, not inside a tenant scope.");
    return { ...args, data: stampData(model, args.data, tenantId) };
  }
  throw new TenantScopeError(`${model}.${operation} is not allowed in a tenant scope.`);
}

/** A client that can only see and write one tenant's rows. Raw SQL is not on it. */
export function tenantClient(prisma: RawPrismaClient, ctx: TenantContext) {
  if (!ctx.tenantId) throw new TenantScopeError("A tenant context needs a tenantId.");
  return prisma.$extends({
    name: "tenant-scope",
    query: {
      $allModels: {
        $allOperations({ model, operation, args, query }) {
          if (!TENANT_MODELS.has(model) && model !== "Tenant") {
            throw new TenantScopeError(`${model} is not tenant-owned; use db.system(reason) for it.`);
          }
          return query(scopeArgs(model, operation, isRecord(args) ? args : {}, ctx.tenantId));
        },
      },
    },
  });
}

export type TenantClient = Omit<
  ReturnType<typeof tenantClient>,
  "$queryRaw" | "$queryRawUnsafe" | "$executeRaw" | "$executeRawUnsafe" | "$extends"
>;
