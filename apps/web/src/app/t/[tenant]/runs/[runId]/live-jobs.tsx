"use client";
// The run's jobs, live (useLiveRun): status badge, duration, attempt and why each waits, updated in place as the
// run's events arrive. A re-run run has one tab per run attempt (a WAI-ARIA tablist: arrow keys, Home, End); the
// latest is live, an earlier one shows each job as that attempt left it (runs.get's runAttempts) with its attempts of
// that run attempt. Roles that may re-run get "Re-run" per job (the job and its dependents) once the run has ended.
import Link from "next/link";
import { useId, useRef, useState, type KeyboardEvent } from "react";
import { RunStatus } from "../../../../../components/run-status";
import { duration } from "../../../../../components/status";
import { useTickingClock } from "../../../../../components/use-ticking-clock";
import { statusWord } from "@gantry/workflow-schema/status-words";
import { jobHref } from "./job-href";
import { RerunButton } from "./rerun-button";
import { hasEnded, useLiveRun, type LiveJob } from "./use-live-run";

type Attempt = LiveJob["attempts"][number];

/** How long a job took, or has taken so far (`now` ticks while something runs). */
function jobDuration(startedAt: string | null, finishedAt: string | null, now: string): string {
  if (!startedAt) return "—";
  return finishedAt ? duration(startedAt, finishedAt) : `${duration(startedAt, now)} so far`;
}

function AttemptList({ attempts }: { attempts: Attempt[] }) {
  return (
    <ol data-testid="job-attempts">
      {attempts.map((attempt) => (
        <li key={attempt.number} data-testid="job-attempt">
          attempt {attempt.number}: {statusWord("attempt", attempt.status).word}
          {attempt.failureCause ? ` (${attempt.failureCause})` : ""}
          {attempt.runner ? ` on ${attempt.runner}` : ""}
          {attempt.failureReason ? ` — ${attempt.failureReason}` : ""}
        </li>
      ))}
    </ol>
  );
}

function CurrentAttemptRows({ tenant, canRerun, now }: { tenant: string; canRerun: boolean; now: string }) {
  const { run } = useLiveRun();
  const ended = hasEnded(run.status);
  return (
    <>
      {run.jobs.map((job) => (
        <tr key={job.key} data-testid={`job-row-${job.key}`} data-status={job.status}>
          <td>
            <Link href={jobHref(tenant, run.id, job.key)}>{job.key}</Link>
          </td>
          <td className="muted">{job.needs.join(", ") || "—"}</td>
          <td>
            <RunStatus status={job.status} subject="job" />
          </td>
          <td data-testid="job-duration">{jobDuration(job.startedAt, job.finishedAt, now)}</td>
          <td>{job.attempt || "—"}</td>
          <td className="muted small">
            {job.calls && (
              <span data-testid="job-calls">
                calls <code>{job.calls}</code>{" "}
              </span>
            )}
            {job.failureReason ?? ""}
            {job.waiting && (
              <span data-testid="job-waiting" data-reason={job.waiting.reason.kind}>
                {job.waiting.text}
              </span>
            )}
            {job.failureCause && <span data-testid="job-cause"> ({job.failureCause})</span>}
            {/* Every attempt, once there is more than one or one failed without ending the job (a retry is due). */}
            {(job.attempts.length > 1 || job.attempts.some((attempt) => attempt.failureCause !== null && job.failureCause === null)) && <AttemptList attempts={job.attempts} />}
          </td>
          {canRerun && (
            <td className="job-actions">
              <RerunButton tenant={tenant} runId={run.id} mode="job" jobKey={job.key} label="Re-run" ariaLabel={`Re-run ${job.key} and its dependents`} disabled={!ended} />
            </td>
          )}
        </tr>
      ))}
    </>
  );
}

function EarlierAttemptRows({ tenant, number }: { tenant: string; number: number }) {
  const { run } = useLiveRun();
  const attempt = run.runAttempts.find((candidate) => candidate.number === number);
  const jobOf = new Map(run.jobs.map((job) => [job.key, job]));
  return (
    <>
      {(attempt?.jobs ?? []).map((state) => {
        const job = jobOf.get(state.key);
        const ran = job?.attempts.filter((candidate) => candidate.runAttempt === number) ?? [];
        const last = ran.at(-1);
        const started = ran[0]?.startedAt ?? null;
        const finished = last?.finishedAt ?? null;
        return (
          <tr key={state.key} data-testid={`job-row-${state.key}`} data-status={state.status}>
            <td>
              <Link href={jobHref(tenant, run.id, state.key)}>{state.key}</Link>
            </td>
            <td className="muted">{job?.needs.join(", ") || "—"}</td>
            <td>
              <RunStatus status={state.status} subject="job" />
            </td>
            <td data-testid="job-duration">{started && finished ? duration(started, finished) : "—"}</td>
            <td>{last?.number ?? "—"}</td>
            <td className="muted small">
              {!state.rerun && number > 1 && <span data-testid="job-kept">kept from an earlier attempt </span>}
              {last?.failureReason ?? ""}
              {ran.length > 1 && <AttemptList attempts={ran} />}
            </td>
          </tr>
        );
      })}
    </>
  );
}

export function LiveJobs({ tenant, canRerun, renderedAt }: { tenant: string; canRerun: boolean; renderedAt: string }) {
  const { run } = useLiveRun();
  const latest = run.runAttempts.at(-1)?.number ?? run.runAttempt;
  // null: follow the latest attempt (a re-run opens its tab); a number: the tab the reader chose.
  const [chosen, setChosen] = useState<number | null>(null);
  const shown = chosen ?? latest;
  const now = useTickingClock(run.jobs.some((job) => job.status === "RUNNING"), renderedAt);
  const ids = useId();
  const tabs = useRef<(HTMLButtonElement | null)[]>([]);
  const numbers = run.runAttempts.map((attempt) => attempt.number);
  const choose = (number: number) => setChosen(number === latest ? null : number);
  const onKeyDown = (event: KeyboardEvent<HTMLDivElement>) => {
    const index = numbers.indexOf(shown);
    const target = { ArrowRight: index + 1, ArrowLeft: index - 1, Home: 0, End: numbers.length - 1 }[event.key];
    if (target === undefined) return;
    event.preventDefault();
    const next = numbers[(target + numbers.length) % numbers.length];
    if (next === undefined) return;
    choose(next);
    tabs.current[numbers.indexOf(next)]?.focus();
  };
  if (run.jobs.length === 0) return null;
  const table = (
    <table>
      <thead>
        <tr>
          <th>Job</th>
          <th>Needs</th>
          <th>Status</th>
          <th>Duration</th>
          <th>Attempt</th>
          <th>Note</th>
          {canRerun && shown === latest && (
            <th>
              <span className="visually-hidden">Actions</span>
            </th>
          )}
        </tr>
      </thead>
      <tbody>{shown === latest ? <CurrentAttemptRows tenant={tenant} canRerun={canRerun} now={now} /> : <EarlierAttemptRows tenant={tenant} number={shown} />}</tbody>
    </table>
  );
  return (
    <section className="card" data-testid="run-jobs" aria-labelledby={`${ids}-title`}>
      <div className="card-head">
        <h2 id={`${ids}-title`}>Jobs</h2>
        <span className="muted small">{run.jobs.length}</span>
      </div>
      {numbers.length > 1 ? (
        <>
          <div role="tablist" aria-label="Run attempts" className="attempt-tabs" data-testid="attempt-tabs" onKeyDown={onKeyDown}>
            {run.runAttempts.map((attempt, index) => (
              <button
                key={attempt.number}
                ref={(element) => {
                  tabs.current[index] = element;
                }}
                type="button"
                role="tab"
                id={`${ids}-tab-${attempt.number}`}
                aria-selected={attempt.number === shown}
                aria-controls={`${ids}-panel`}
                tabIndex={attempt.number === shown ? 0 : -1}
                data-testid={`attempt-tab-${attempt.number}`}
                onClick={() => choose(attempt.number)}
              >
                Attempt {attempt.number} <RunStatus status={attempt.number === latest ? run.status : (attempt.conclusion ?? "RUNNING")} />
              </button>
            ))}
          </div>
          <div role="tabpanel" id={`${ids}-panel`} aria-labelledby={`${ids}-tab-${shown}`} data-testid={`attempt-panel-${shown}`}>
            {table}
          </div>
        </>
      ) : (
        table
      )}
    </section>
  );
}
