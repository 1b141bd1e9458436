"use client";
// The run's graph fed from the page's live state (useLiveRun): statuses and durations change in place as the run's
// events arrive; the layout is computed again only when the jobs or their edges change (run-graph.tsx).
import { RunGraph } from "./run-graph/run-graph";
import { useLiveRun } from "./use-live-run";

export function LiveRunGraph({ tenant }: { tenant: string }) {
  const { run } = useLiveRun();
  return run.jobs.length > 0 ? <RunGraph tenant={tenant} runId={run.id} jobs={run.jobs} /> : null;
}
