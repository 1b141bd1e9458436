import { StatusBadge } from "./status";

// Green for success, red for failure, neutral for everything still moving or deliberately not run.
const TONE: Record<string, boolean | null> = {
  SUCCEEDED: true,
  FAILED: false,
  TIMED_OUT: false,
};

/** A run's or job's status; a fork's run held for a maintainer (WAITING) says so instead of "waiting". */
export function RunStatus({ status, awaitingApproval = false }: { status: string; awaitingApproval?: boolean }) {
  return <StatusBadge ok={TONE[status] ?? null}>{awaitingApproval ? "awaiting approval" : status.toLowerCase().replace("_", " ")}</StatusBadge>;
}
