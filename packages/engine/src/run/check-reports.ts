// Which job changes reach GitHub as check runs. Every job transition ends in advanceRun or cancelRun (or the
// claim, which asks on its own), so those ask here for the reports of their run's jobs, through the queues the
// engine hands them (RunHooks.notify). QUEUED and WAITING jobs are left out: intake creates their queued check runs.
import type { Database, TenantContext } from "@gantry/db";
import { requestCheckReports, type Queues } from "@gantry/jobs";

/** Asks for a report of each job of the run that has started or ended, when its repository is on GitHub. */
export async function requestRunCheckReports(db: Database, ctx: TenantContext, runId: string, notify: Pick<Queues, "add"> | null | undefined): Promise<void> {
  if (!notify) return;
  const jobs = await db.forTenant(ctx).jobRun.findMany({
    where: { runId, status: { notIn: ["QUEUED", "WAITING"] }, run: { repository: { installationId: { not: null } } } },
    select: { id: true, status: true, attempt: true, runAttempt: true },
  });
  await requestCheckReports(notify, ctx.tenantId, jobs);
}
