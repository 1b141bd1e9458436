// What happens to jobs that became ready: they go to their pool's fair queue; a job that no pool serves fails
// there and then, and its run advances (its dependents are decided, the run may conclude).
import type { Database, TenantContext } from "@gantry/db";
import type { FairScheduler } from "@gantry/scheduler";
import { systemClock, type Clock } from "../clock";
import { enqueueReady } from "../dispatch/enqueue-ready";
import { advanceRun } from "../run/advance-run";
import type { RunHooks } from "../run/hooks";

export type ReadyHandler = (ctx: TenantContext, jobIds: string[]) => Promise<void>;

export function makeReadyHandler(db: Database, scheduler: FairScheduler, notify?: RunHooks["notify"], clock: Clock = systemClock): ReadyHandler {
  const handle: ReadyHandler = async (ctx, jobIds) => {
    if (jobIds.length === 0) return;
    const result = await enqueueReady(db, scheduler, ctx, jobIds, clock.now());
    for (const { runId } of result.unservable) await advanceRun(db, ctx, runId, { onReady: (ids) => handle(ctx, ids), notify, clock });
  };
  return handle;
}
