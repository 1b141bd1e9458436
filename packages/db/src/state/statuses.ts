// Status enums with predicates (DESIGN.md invariant 3). The Prisma enums are the storage; these are the rules.
import type { AttemptStatus, RunStatus } from "../generated/prisma/enums";

export type { AttemptStatus, RunStatus };

export const RUN_STATUSES = ["QUEUED", "WAITING", "RUNNING", "SUCCEEDED", "FAILED", "CANCELED", "TIMED_OUT", "SKIPPED"] as const satisfies readonly RunStatus[];
export const TERMINAL_RUN_STATUSES = ["SUCCEEDED", "FAILED", "CANCELED", "TIMED_OUT", "SKIPPED"] as const satisfies readonly RunStatus[];
export const ACTIVE_RUN_STATUSES = ["QUEUED", "WAITING", "RUNNING"] as const satisfies readonly RunStatus[];
export type TerminalRunStatus = (typeof TERMINAL_RUN_STATUSES)[number];
/** How a job or run that actually ran can end (SKIPPED is decided without running). */
export type Conclusion = Exclude<TerminalRunStatus, "SKIPPED">;

export const ATTEMPT_STATUSES = ["ASSIGNED", "RUNNING", "SUCCEEDED", "FAILED", "CANCELED", "TIMED_OUT", "LOST"] as const satisfies readonly AttemptStatus[];
export const TERMINAL_ATTEMPT_STATUSES = ["SUCCEEDED", "FAILED", "CANCELED", "TIMED_OUT", "LOST"] as const satisfies readonly AttemptStatus[];
export const LIVE_ATTEMPT_STATUSES = ["ASSIGNED", "RUNNING"] as const satisfies readonly AttemptStatus[];
export type AttemptConclusion = Exclude<(typeof TERMINAL_ATTEMPT_STATUSES)[number], "LOST">;

export function isTerminalRunStatus(status: RunStatus): status is TerminalRunStatus {
  return (TERMINAL_RUN_STATUSES as readonly RunStatus[]).includes(status);
}

export function isTerminalAttemptStatus(status: AttemptStatus): boolean {
  return (TERMINAL_ATTEMPT_STATUSES as readonly AttemptStatus[]).includes(status);
}

// Rank order: a transition may only move up (QUEUED 0 → WAITING 1 → RUNNING 2 → terminal 3).
// Three exceptions, each keyed so that it cannot be replayed: a requeue after a lost attempt (RUNNING → WAITING,
// keyed on the attempt number: jobs.ts requeueJob), a re-run (a terminal run → QUEUED with runAttempt + 1 and
// its chosen jobs with it, keyed on the run attempt: reruns.ts rerunRun), and the approval of a fork's run held for
// it (WAITING → QUEUED, keyed on approvedAt being unset: fork-approvals.ts approveHeldRun). Nothing else ever leaves
// a terminal state.
export function runStatusRank(status: RunStatus): number {
  if (status === "QUEUED") return 0;
  if (status === "WAITING") return 1;
  if (status === "RUNNING") return 2;
  return 3;
}
