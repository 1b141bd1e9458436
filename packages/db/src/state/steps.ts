// Step transitions: QUEUED → RUNNING → SUCCEEDED | FAILED | CANCELED | SKIPPED, keyed (attemptId, index), reported by
// the runner. The row is created on first report (insert-if-missing), then every change is a conditional transition:
// a duplicate or late report (a start after the finish) changes nothing. Only a live attempt may report
// (ASSIGNED/RUNNING with a live lease), so a LOST attempt's late messages never land.
import { Prisma } from "../generated/prisma/client";
import { deterministicId } from "../ids";
import type { TenantContext } from "../tenant-scope";
import { conditionalTransition, type SqlRunner, type TransitionResult } from "./conditional-update";
import type { RunStatus } from "./statuses";

export type StepConclusion = "SUCCEEDED" | "FAILED" | "CANCELED" | "SKIPPED";

export interface StepIdentity {
  attemptId: string;
  index: number;
  stepId?: string;
  name: string;
}

export const stepRunId = (attemptId: string, index: number) => deterministicId("step", attemptId, index);

const attemptLive = Prisma.sql`EXISTS (SELECT 1 FROM "JobAttempt" a WHERE a."id" = t."attemptId" AND a."status" IN ('ASSIGNED', 'RUNNING') AND a."leaseExpiresAt" > now())`;

async function ensureStep(sql: SqlRunner, ctx: TenantContext, step: StepIdentity): Promise<string> {
  const id = stepRunId(step.attemptId, step.index);
  await sql.$queryRaw`
    INSERT INTO "StepRun" ("id", "tenantId", "attemptId", "index", "stepId", "name", "status")
    SELECT ${id}, ${ctx.tenantId}, a."id", ${step.index}, ${step.stepId ?? null}, ${step.name}, 'QUEUED'
    FROM "JobAttempt" a WHERE a."id" = ${step.attemptId} AND a."tenantId" = ${ctx.tenantId}
    ON CONFLICT ("attemptId", "index") DO UPDATE SET "name" = EXCLUDED."name", "stepId" = EXCLUDED."stepId" WHERE "StepRun"."status" = 'QUEUED'`;
  return id;
}

/**
 * The commit a remote action step's `uses:` resolved to (docs/actions.md), recorded when the runner resolves it —
 * usually before the step reports its start, so a missing row is created QUEUED, named as GitHub names an unnamed
 * `uses:` step until the step's own report names it. Only while the attempt is live.
 */
export async function recordStepAction(sql: SqlRunner, ctx: TenantContext, step: { attemptId: string; index: number; uses: string; sha: string }): Promise<void> {
  const id = stepRunId(step.attemptId, step.index);
  await sql.$queryRaw`
    INSERT INTO "StepRun" ("id", "tenantId", "attemptId", "index", "name", "status", "actionSha")
    SELECT ${id}, ${ctx.tenantId}, a."id", ${step.index}, ${`Run ${step.uses}`}, 'QUEUED', ${step.sha}
    FROM "JobAttempt" a WHERE a."id" = ${step.attemptId} AND a."tenantId" = ${ctx.tenantId} AND a."status" IN ('ASSIGNED', 'RUNNING') AND a."leaseExpiresAt" > now()
    ON CONFLICT ("attemptId", "index") DO UPDATE SET "actionSha" = EXCLUDED."actionSha"`;
}

/** QUEUED → RUNNING: the runner started the step. */
export async function startStep(sql: SqlRunner, ctx: TenantContext, step: StepIdentity, startedAt: Date): Promise<TransitionResult<RunStatus>> {
  const id = await ensureStep(sql, ctx, step);
  return conditionalTransition<RunStatus>(sql, ctx, { entity: "StepRun", id, from: ["QUEUED"], to: "RUNNING", set: [Prisma.sql`"startedAt" = ${startedAt}::timestamp`], where: [attemptLive] });
}

/** QUEUED | RUNNING → a conclusion, with what the step left behind: outputs, GITHUB_STEP_SUMMARY, annotations. */
export async function finishStep(
  sql: SqlRunner,
  ctx: TenantContext,
  step: StepIdentity,
  result: { status: StepConclusion; startedAt?: Date; finishedAt: Date; outputs: Record<string, string>; summary?: string; annotations: unknown[] },
): Promise<TransitionResult<RunStatus>> {
  const id = await ensureStep(sql, ctx, step);
  return conditionalTransition<RunStatus>(sql, ctx, {
    entity: "StepRun",
    id,
    from: ["QUEUED", "RUNNING"],
    to: result.status,
    set: [
      Prisma.sql`"startedAt" = COALESCE(t."startedAt", ${result.startedAt ?? null}::timestamp)`,
      Prisma.sql`"finishedAt" = ${result.finishedAt}::timestamp`,
      Prisma.sql`"outputs" = ${JSON.stringify(result.outputs)}::jsonb`,
      Prisma.sql`"summary" = ${result.summary ?? null}`,
      Prisma.sql`"annotations" = ${JSON.stringify(result.annotations)}::jsonb`,
    ],
    where: [attemptLive],
  });
}
