"use client";
// The header's times for the current attempt: queue time (put in line → its first job given a runner) and total time
// (put in line → the conclusion), counting up in the browser while the run goes on.
import { duration } from "../../../../../components/status";
import { useTickingClock } from "../../../../../components/use-ticking-clock";
import { useLiveRun } from "./use-live-run";

export function RunTimes({ renderedAt }: { renderedAt: string }) {
  const { run } = useLiveRun();
  const now = useTickingClock(run.finishedAt === null, renderedAt);
  return (
    <dl className="run-times small" data-testid="run-times">
      <div>
        <dt>Queue time</dt>
        <dd data-testid="run-queue-time">{run.startedAt ? duration(run.queuedAt, run.startedAt) : run.finishedAt ? "—" : `${duration(run.queuedAt, now)} so far`}</dd>
      </div>
      <div>
        <dt>Total time</dt>
        <dd data-testid="run-total-time">{run.finishedAt ? duration(run.queuedAt, run.finishedAt) : `${duration(run.queuedAt, now)} so far`}</dd>
      </div>
    </dl>
  );
}
