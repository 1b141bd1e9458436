// Timers for jobs held at their environment's gate (wait timers, approval expiry): a delayed BullMQ job per
// (job, due time). When one fires the run is advanced, which checks the gate again (and expires a due approval).
// Lost timers cost only precision: the periodic queue reconciliation advances runs whose jobs are all held, and
// advancing sets their timers again (DESIGN.md invariant 2).
import type { TenantContext } from "@gantry/db";
import { scheduleGateTimer, type Queues } from "@gantry/jobs";
import type { AdvanceResult } from "../run/advance-run";
import { systemClock, type Clock } from "../clock";

export type HeldHandler = (ctx: TenantContext, runId: string, held: AdvanceResult["held"]) => Promise<void>;

export function makeHeldHandler(queues: Pick<Queues, "add">, clock: Clock = systemClock): HeldHandler {
  return async (ctx, runId, held) => {
    for (const gate of held) await scheduleGateTimer(queues, { tenantId: ctx.tenantId, runId, jobId: gate.jobId, dueAt: gate.dueAt }, clock.now());
  };
}
