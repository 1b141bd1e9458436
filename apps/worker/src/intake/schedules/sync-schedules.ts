// Syncs one repository's schedules with the workflows on its default branch at one commit: in one
// transaction the rows become exactly the entries (upserted at that sha, the others deleted), then BullMQ is
// made to match. Without queues only Postgres changes, and the next reconciliation registers the schedulers.
import type { Database } from "@gantry/db";
import type { Queues } from "@gantry/jobs";
import type { TenantContext as CompileContext } from "@gantry/workflow-schema";
import { registerJobScheduler, removeJobScheduler } from "./job-schedulers";
import { schedulesOf } from "./read-schedules";
import { scheduleRowId, schedulerKeyOf, type ScheduleEntry } from "./schedule-keys";
import { compileTree, type WorkflowTree } from "./workflow-tree";

export interface ScheduleSync {
  /** Entries whose rows now exist, as `<workflowPath> <cron>`. */
  kept: string[];
  /** Entries whose rows were deleted. */
  removed: string[];
}

const label = (entry: ScheduleEntry) => `${entry.workflowPath} ${entry.cron}`;

export async function syncSchedules(
  db: Database,
  queues: Queues | undefined,
  repository: { id: string; tenantId: string },
  sha: string,
  entries: ScheduleEntry[],
): Promise<ScheduleSync> {
  const sys = db.system("schedules: sync a repository's rows with its default branch");
  const wanted = new Map(entries.map((entry) => [schedulerKeyOf(repository.id, entry), entry]));
  const gone = await sys.$transaction(async (tx) => {
    // Two syncs of one repository (two pushes, a push and the ref reconciler) take turns.
    await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtext(${`schedules:${repository.id}`}))`;
    const rows = await tx.workflowSchedule.findMany({ where: { repositoryId: repository.id } });
    const stale = rows.filter((row) => !wanted.has(row.schedulerKey));
    await tx.workflowSchedule.deleteMany({ where: { id: { in: stale.map((row) => row.id) } } });
    for (const [schedulerKey, entry] of wanted) {
      await tx.workflowSchedule.upsert({
        where: { schedulerKey },
        create: { id: scheduleRowId(repository.id, entry), tenantId: repository.tenantId, repositoryId: repository.id, ...entry, sha, schedulerKey },
        update: { sha },
      });
    }
    return stale;
  });
  if (queues) {
    for (const row of gone) await removeJobScheduler(queues, row.schedulerKey);
    for (const [schedulerKey, entry] of wanted) await registerJobScheduler(queues, { repositoryId: repository.id, ...entry, schedulerKey });
  }
  return { kept: [...wanted.values()].map(label), removed: gone.map(label) };
}

/** Re-reads the schedules of the whole tree (the default branch's head) and syncs them. */
export async function syncSchedulesAt(
  db: Database,
  queues: Queues | undefined,
  repository: { id: string; tenantId: string },
  tree: WorkflowTree,
  compileContext: CompileContext,
): Promise<ScheduleSync> {
  return syncSchedules(db, queues, repository, tree.sha, schedulesOf(await compileTree(tree, compileContext)));
}
