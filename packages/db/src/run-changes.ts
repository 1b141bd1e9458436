// What live views of a tenant's runs read after a doorbell (redis-keys.ts runEventsChannel): the run status changes
// the state machine recorded (StateTransition, one row per change, ids rising) and the newest run (a new run has no
// transition until it moves). Both walk an index from its end: [tenantId, entity, id] and the run list's
// [tenantId, createdAt, id, …].
import type { RunStatus } from "./generated/prisma/enums";
import { RUN_STATUSES } from "./state/statuses";
import type { TenantClient } from "./tenant-scope";

const isRunStatus = (value: string): value is RunStatus => (RUN_STATUSES as readonly string[]).includes(value);

export interface RunChange {
  /** The StateTransition id: rising, so a change's place in the tenant's history. */
  id: bigint;
  runId: string;
  status: RunStatus;
  at: Date;
}

/** Where the tenant's run history stands: its latest run transition (0 when none) and its newest run. */
export interface RunMark {
  transitionId: bigint;
  newestRunId: string | null;
}

export async function runMark(scoped: TenantClient): Promise<RunMark> {
  const [transition, newest] = await Promise.all([
    scoped.stateTransition.findFirst({ where: { entity: "WorkflowRun" }, orderBy: { id: "desc" }, select: { id: true } }),
    scoped.workflowRun.findFirst({ orderBy: [{ createdAt: "desc" }, { id: "desc" }], select: { id: true } }),
  ]);
  return { transitionId: transition?.id ?? 0n, newestRunId: newest?.id ?? null };
}

/** The tenant's run status changes with ids above `afterId`, oldest first, at most `limit`. */
export async function runChangesAfter(scoped: TenantClient, afterId: bigint, limit: number): Promise<RunChange[]> {
  const rows = await scoped.stateTransition.findMany({
    where: { entity: "WorkflowRun", id: { gt: afterId } },
    orderBy: { id: "asc" },
    take: limit,
    select: { id: true, entityId: true, toStatus: true, createdAt: true },
  });
  // toStatus is text in the history table; a WorkflowRun row only ever records a RunStatus.
  return rows.flatMap((row) => (isRunStatus(row.toStatus) ? [{ id: row.id, runId: row.entityId, status: row.toStatus, at: row.createdAt }] : []));
}

export interface JobChange {
  /** The StateTransition id, in the same sequence as the runs' (a tenant's history in one order). */
  id: bigint;
  runId: string;
  jobId: string;
  status: RunStatus;
}

/** The tenant's job status changes with ids above `afterId`, oldest first, at most `limit`, each with its run. */
export async function jobChangesAfter(scoped: TenantClient, afterId: bigint, limit: number): Promise<JobChange[]> {
  const rows = await scoped.stateTransition.findMany({
    where: { entity: "JobRun", id: { gt: afterId } },
    orderBy: { id: "asc" },
    take: limit,
    select: { id: true, entityId: true, toStatus: true },
  });
  if (rows.length === 0) return [];
  // A job's run never changes: one read of the jobs these rows name.
  const jobs = await scoped.jobRun.findMany({ where: { id: { in: [...new Set(rows.map((row) => row.entityId))] } }, select: { id: true, runId: true } });
  const runOf = new Map(jobs.map((job) => [job.id, job.runId]));
  return rows.flatMap((row) => {
    const runId = runOf.get(row.entityId);
    return runId !== undefined && isRunStatus(row.toStatus) ? [{ id: row.id, runId, jobId: row.entityId, status: row.toStatus }] : [];
  });
}

/** Whether the run or one of its jobs changed status after transition `afterId` (a resuming run page's question). */
export async function runChangedAfter(scoped: TenantClient, runId: string, afterId: bigint): Promise<boolean> {
  const jobs = await scoped.jobRun.findMany({ where: { runId }, select: { id: true } });
  const found = await scoped.stateTransition.findFirst({
    where: {
      id: { gt: afterId },
      OR: [
        { entity: "WorkflowRun", entityId: runId },
        { entity: "JobRun", entityId: { in: jobs.map((job) => job.id) } },
      ],
    },
    select: { id: true },
  });
  return found !== null;
}
