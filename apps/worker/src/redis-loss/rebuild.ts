// What Redis held, made again from Postgres (DESIGN.md invariant 2) after it lost its data: the periodic job
// schedulers, every running job's timeout, the schedules' job schedulers, and the fair queues' pools (ready and
// claimed jobs), with runs that had nothing in flight advanced (which also re-arms environment gate timers).
// Each step is an upsert or a rebuild by id, so two workers running it at once, or one running it twice, is harmless.
import type { Engine } from "@gantry/engine";
import type { Queues } from "@gantry/jobs";
import { upsertPeriodicJobs, type PeriodicJob } from "../periodic-jobs";
import { rebuildJobSchedulers } from "../intake/schedules/job-schedulers";

export interface RebuildDeps {
  engine: Pick<Engine, "db" | "reconcile" | "rebuildTimers">;
  queues: Queues;
  periodic: readonly PeriodicJob[];
}

/** Rebuilds everything; a one-line summary for the log. */
export async function rebuildRedisFromPostgres(deps: RebuildDeps): Promise<string> {
  // The periodic jobs first: if this worker dies mid-rebuild, reconcile-queues and the reaper carry on.
  await upsertPeriodicJobs(deps.queues, deps.periodic);
  // The pools before the timers: runners waiting to claim are what a user sees stall.
  const queues = await deps.engine.reconcile();
  const timeouts = await deps.engine.rebuildTimers();
  const schedules = await rebuildJobSchedulers(deps.engine.db, deps.queues);
  return [
    `${deps.periodic.filter((job) => job.everyMs !== null).length} periodic job(s)`,
    `${queues.pools} pool(s): ${queues.ready} ready, ${queues.claimed} running, ${queues.advanced} run(s) advanced`,
    `${timeouts} job timeout(s)`,
    `${schedules.registered} schedule(s)`,
  ].join(", ");
}
