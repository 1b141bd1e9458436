// The job's attempts as tabs (links: each attempt is its own address, `?attempt=N`, so a permalink names one): the
// attempt's status, how it ended (user, infrastructure, cancelled, timeout) and why, the runner and the run attempt
// it belongs to (a re-run of the whole run makes attempts too).
import Link from "next/link";
import { RunStatus } from "../../../../../../../components/run-status";

export interface AttemptTab {
  number: number;
  runAttempt: number;
  status: string;
  runner: string | null;
  failureCause: string | null;
  failureReason: string | null;
}

export function AttemptTabs({ path, attempts, selected }: { path: string; attempts: AttemptTab[]; selected: number }) {
  if (attempts.length === 0) return null;
  return (
    <nav aria-label="Attempts" className="attempt-tabs" data-testid="job-attempts">
      <ol>
        {attempts.map((attempt) => (
          <li key={attempt.number} data-testid={`attempt-tab-${attempt.number}`} className={attempt.number === selected ? "attempt-tab selected" : "attempt-tab"}>
            <Link href={`${path}?attempt=${attempt.number}`} aria-current={attempt.number === selected ? "page" : undefined}>
              Attempt {attempt.number}
            </Link>{" "}
            <RunStatus status={attempt.status} subject="attempt" />
            {attempt.failureCause && (
              <>
                {" "}
                <span className="small" data-testid={`attempt-cause-${attempt.number}`}>
                  cause: {attempt.failureCause}
                </span>
              </>
            )}
            <span className="muted small">
              {attempt.failureReason ? ` — ${attempt.failureReason}` : ""}
              {attempt.runner ? ` · on ${attempt.runner}` : ""}
              {attempt.runAttempt > 1 ? ` · run attempt ${attempt.runAttempt}` : ""}
            </span>
          </li>
        ))}
      </ol>
    </nav>
  );
}
