// Which job changes reach GitHub as check runs. Every job transition the worker makes ends in advanceRun or
// cancelRun, so those two ask here for the reports of their run's jobs (the web's claim asks on its own); the
// worker registers where the requests go (its queues) for its database. No registration (a test, a script):
// nothing is asked. QUEUED and WAITING jobs are left out: intake creates their queued check runs itself.
import type { Database, TenantContext } from "@gantry/db";
import { requestCheckReports, type Queues } from "@gantry/jobs";

const sinks = new WeakMap<Database, Pick<Queues, "add">>();

/** Check reports for jobs in this database go to these queues (the report-check job). */
export function reportChecksThrough(db: Database, queues: Pick<Queues, "add">): void {
  sinks.set(db, queues);
}

/** Asks for a report of each job of the run that has started or ended, when its repository is on GitHub. */
export async function requestRunCheckReports(db: Database, ctx: TenantContext, runId: string): Promise<void> {
  const queues = sinks.get(db);
  if (!queues) return;
  const jobs = await db.forTenant(ctx).jobRun.findMany({
    where: { runId, status: { notIn: ["QUEUED", "WAITING"] }, run: { repository: { installationId: { not: null } } } },
    select: { id: true, status: true, attempt: true },
  });
  await requestCheckReports(queues, ctx.tenantId, jobs);
}
