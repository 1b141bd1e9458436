// What each attempt of a run was, read back from the state machine's history (StateTransition), so a re-run run's
// earlier attempts stay viewable: a re-run resets the run and its chosen jobs in place (state/reruns.ts), and only the
// history remembers how the run and each job ended in attempt 1, 2, … A re-run is the run's transition out of a
// terminal status; its jobs' re-run transitions follow it in the same transaction, so they count for the new attempt.
import type { RunStatus } from "./generated/prisma/enums";
import { isTerminalRunStatus, RUN_STATUSES } from "./state/statuses";
import type { TenantClient } from "./tenant-scope";

const isRunStatus = (value: string): value is RunStatus => (RUN_STATUSES as readonly string[]).includes(value);

export interface RunAttemptRecord {
  /** The run attempt (`github.run_attempt`), from 1. */
  number: number;
  /** When the attempt was put in line: the re-run's time; null for the first (the run's own creation). */
  queuedAt: Date | null;
  /** How the run ended in this attempt; null while it has not. */
  conclusion: RunStatus | null;
  finishedAt: Date | null;
  /** Every job as this attempt left it; `rerun` when it changed in this attempt (else it kept an earlier result). */
  jobs: { jobId: string; status: RunStatus; rerun: boolean }[];
}

/** The run's attempts, oldest first (one for a run never re-run); [] for a run not in the tenant. */
export async function runAttemptHistory(scoped: TenantClient, runId: string): Promise<RunAttemptRecord[]> {
  const jobs = await scoped.jobRun.findMany({ where: { runId }, orderBy: { createdAt: "asc" }, select: { id: true } });
  const rows = await scoped.stateTransition.findMany({
    where: {
      OR: [
        { entity: "WorkflowRun", entityId: runId },
        { entity: "JobRun", entityId: { in: jobs.map((job) => job.id) } },
      ],
    },
    orderBy: { id: "asc" },
    select: { entity: true, entityId: true, fromStatus: true, toStatus: true, createdAt: true },
  });
  // Jobs start QUEUED without a transition (intake creates them so).
  const statusOf = new Map<string, RunStatus>(jobs.map((job) => [job.id, "QUEUED"]));
  const attempts: RunAttemptRecord[] = [];
  let current: Omit<RunAttemptRecord, "jobs"> & { changed: Set<string> } = { number: 1, queuedAt: null, conclusion: null, finishedAt: null, changed: new Set() };
  const close = () => ({
    number: current.number,
    queuedAt: current.queuedAt,
    conclusion: current.conclusion,
    finishedAt: current.finishedAt,
    jobs: [...statusOf].map(([jobId, status]) => ({ jobId, status, rerun: current.changed.has(jobId) })),
  });
  for (const row of rows) {
    if (!isRunStatus(row.toStatus)) continue;
    if (row.entity === "JobRun") {
      statusOf.set(row.entityId, row.toStatus);
      current.changed.add(row.entityId);
      continue;
    }
    if (isRunStatus(row.fromStatus) && isTerminalRunStatus(row.fromStatus) && !isTerminalRunStatus(row.toStatus)) {
      attempts.push(close());
      current = { number: current.number + 1, queuedAt: row.createdAt, conclusion: null, finishedAt: null, changed: new Set() };
    }
    if (isTerminalRunStatus(row.toStatus)) {
      current.conclusion = row.toStatus;
      current.finishedAt = row.createdAt;
    }
  }
  attempts.push(close());
  return attempts;
}
