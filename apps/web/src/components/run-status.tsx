import { StatusBadge } from "./status";

// Green for success, red for failure, neutral for everything still moving or deliberately not run.
const TONE: Record<string, boolean | null> = {
  SUCCEEDED: true,
  FAILED: false,
  TIMED_OUT: false,
};

export function RunStatus({ status }: { status: string }) {
  return <StatusBadge ok={TONE[status] ?? null}>{status.toLowerCase().replace("_", " ")}</StatusBadge>;
}
