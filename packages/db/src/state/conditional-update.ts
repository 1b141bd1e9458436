import { Prisma } from "../generated/prisma/client";
import type { RawPrismaClient } from "../client";
import type { TenantContext } from "../tenant-scope";

export type Entity = "WorkflowRun" | "JobRun" | "JobAttempt" | "StepRun" | "Approval";
const ENUM_OF: Record<Entity, "RunStatus" | "AttemptStatus" | "ApprovalStatus"> = {
  WorkflowRun: "RunStatus",
  JobRun: "RunStatus",
  JobAttempt: "AttemptStatus",
  StepRun: "RunStatus",
  Approval: "ApprovalStatus",
};

/** Anything that can run raw SQL: the client or an interactive transaction. */
export type SqlRunner = Pick<RawPrismaClient, "$queryRaw">;

export interface TransitionSpec<S extends string> {
  entity: Entity;
  id: string;
  from: readonly S[];
  to: S;
  /** Extra `column = value` assignments, written against the table alias `t`. */
  set?: Prisma.Sql[];
  /** Extra conditions on the row (alias `t`), e.g. the expected attempt number. */
  where?: Prisma.Sql[];
  reason?: string;
  /**
   * A data-modifying statement that goes with the change, in the same SQL statement (so it happens only when the row
   * changed, atomically with it, in one round trip): written over `updated` (the changed row's "id" and "tenantId"),
   * its RETURNING columns come back as `also`.
   */
  also?: Prisma.Sql;
}

export interface TransitionResult<S extends string> {
  /** false: the row was not in a state this transition starts from: a duplicate, late or illegal message. */
  changed: boolean;
  from?: S;
  attempt?: number;
  /** The RETURNING row of spec.also, when the row changed. */
  also?: Record<string, unknown>;
}

/**
 * One conditional UPDATE that also appends the history row, in a single statement. The row lock taken by
 * FOR UPDATE makes two racing writers serialize; the loser re-reads the winner's status and does nothing. Only a
 * row in a `from` status is locked: a transition that cannot apply (a run already RUNNING, told again by each of a
 * matrix's 256 claims) reads and leaves, instead of queueing on the row's lock behind every other writer. Waiting
 * for a lock, PostgreSQL re-checks the status on the row as the other writer left it (READ COMMITTED).
 */
export async function conditionalTransition<S extends string>(
  sql: SqlRunner,
  ctx: TenantContext,
  spec: TransitionSpec<S>,
): Promise<TransitionResult<S>> {
  const table = Prisma.raw(`"${spec.entity}"`);
  const enumType = Prisma.raw(`"${ENUM_OF[spec.entity]}"`);
  const hasAttempt = spec.entity === "JobRun" || spec.entity === "JobAttempt";
  const attemptColumn = Prisma.raw(spec.entity === "JobRun" ? 't."attempt"' : spec.entity === "JobAttempt" ? 't."number"' : "NULL::int");
  const assignments = [Prisma.sql`"status" = ${spec.to}::${enumType}`, ...(spec.set ?? [])];
  const fromStatuses = Prisma.join(spec.from.map((status) => Prisma.sql`${status}`));
  const conditions = [
    Prisma.sql`t."id" = prev."id"`,
    Prisma.sql`prev."status"::text IN (${fromStatuses})`,
    ...(spec.where ?? []),
  ];
  const also = spec.also ? Prisma.sql`, also AS (${spec.also})` : Prisma.empty;
  const alsoJoin = spec.also ? Prisma.sql` LEFT JOIN also ON true` : Prisma.empty;
  const rows = await sql.$queryRaw<({ from_status: S; attempt: number | null } & Record<string, unknown>)[]>`
    WITH prev AS (
      SELECT "id", "status" FROM ${table}
      WHERE "id" = ${spec.id} AND "tenantId" = ${ctx.tenantId} AND "status"::text IN (${fromStatuses})
      FOR UPDATE
    ), updated AS (
      UPDATE ${table} AS t SET ${Prisma.join(assignments, ", ")}
      FROM prev WHERE ${Prisma.join(conditions, " AND ")}
      RETURNING t."id", t."tenantId", prev."status"::text AS from_status, ${attemptColumn} AS attempt
    ), history AS (
      INSERT INTO "StateTransition" ("tenantId", "entity", "entityId", "fromStatus", "toStatus", "attempt", "reason")
      SELECT "tenantId", ${spec.entity}, "id", from_status, ${spec.to}, attempt, ${spec.reason ?? null} FROM updated
    )${also}
    SELECT updated.from_status, updated.attempt${spec.also ? Prisma.sql`, also.*` : Prisma.empty} FROM updated${alsoJoin}`;
  const row = rows[0];
  if (!row) return { changed: false };
  const { from_status: _from, attempt: _attempt, ...alsoColumns } = row;
  const extra = spec.also ? { also: alsoColumns } : {};
  return hasAttempt && row.attempt !== null
    ? { changed: true, from: row.from_status, attempt: row.attempt, ...extra }
    : { changed: true, from: row.from_status, ...extra };
}
