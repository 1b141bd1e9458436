// Intake only creates runs: a new run's first advance (its concurrency admission, its root jobs) is the engine's,
// asked for through the advance-run queue, so intake, schedules and reconcilers never orchestrate themselves
// (which is what made intake and schedules import each other). The job id makes a redelivered start one start.
import type { TenantContext } from "@gantry/db";
import type { Queues } from "@gantry/jobs";

/** `runAttempt`: a re-run's start (docs/runs.md), a start of its own; absent, the run's first. */
export type RunStarter = (ctx: TenantContext, runId: string, runAttempt?: number) => Promise<void>;

export function startRunsThrough(queues: Pick<Queues, "add">): RunStarter {
  return async (ctx, runId, runAttempt) => {
    await queues.add("advance-run", { tenantId: ctx.tenantId, runId, start: true }, runAttempt && runAttempt > 1 ? `start-${runId}-attempt-${runAttempt}` : `start-${runId}`);
  };
}
