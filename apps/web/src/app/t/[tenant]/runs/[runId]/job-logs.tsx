// Each job's latest attempt on the run page (and the one job on its job page): its steps (status, time, annotations,
// GITHUB_STEP_SUMMARY as Markdown) and its log in a terminal (xterm.js, client only, started when the job's section
// is opened: job-log-section.tsx) fed live by the log endpoint: the archive, then new chunks until the job ends. What
// failed is open: the failed jobs' sections, their failed steps, and the terminal scrolled to the failed step.
import { RunStatus } from "../../../../../components/run-status";
import { duration } from "../../../../../components/status";
import { StepSummary } from "../../../../../components/step-summary";
import type { SessionUser } from "../../../../../server/auth";
import { serverCaller } from "../../../../../server/caller";
import { JobLogSection } from "./job-log-section";

const FAILED = new Set(["FAILED", "TIMED_OUT"]);

export async function JobLogs({ session, tenant, runId, jobs }: { session: SessionUser; tenant: string; runId: string; jobs: { key: string; attempt: number; status: string }[] }) {
  const started = jobs.filter((job) => job.attempt > 0);
  if (started.length === 0) return null;
  const caller = serverCaller(session);
  // The steps only: the terminal reads the log itself (fromSeq past any chunk skips reading the archive here).
  const logs = await Promise.all(started.map(async (job) => ({ job, log: await caller.runs.logs({ tenant, runId, jobKey: job.key, fromSeq: 2 ** 31 - 1 }) })));
  return (
    <section className="card" data-testid="job-logs" aria-labelledby="job-logs-title">
      <div className="card-head">
        <h2 id="job-logs-title">Logs</h2>
      </div>
      {logs.map(({ job, log }) => {
        const failedStep = log.steps.find((step) => FAILED.has(step.status))?.index ?? null;
        return (
          <JobLogSection
            key={job.key}
            tenant={tenant}
            runId={runId}
            jobKey={job.key}
            failedStep={failedStep}
            open={logs.length === 1 || FAILED.has(job.status)}
            summary={
              <>
                {job.key} <RunStatus status={job.status} subject="job" /> <span className="muted small">attempt {log.attempt}</span>
              </>
            }
          >
            <ol className="steps">
              {log.steps.map((step) => {
                const failed = FAILED.has(step.status);
                const hasDetails = failed || step.annotations.length > 0 || Boolean(step.summary) || Boolean(step.actionSha);
                const line = (
                  <>
                    <RunStatus status={step.status} subject="step" /> <span className="step-name">{step.name}</span>
                    {step.startedAt && step.finishedAt ? <span className="muted small"> {duration(step.startedAt, step.finishedAt)}</span> : null}
                  </>
                );
                return (
                  <li key={step.index} data-testid={`step-${job.key}-${step.index}`} data-status={step.status}>
                    {hasDetails ? (
                      <details open={failed || step.annotations.length > 0 || Boolean(step.summary)}>
                        <summary>{line}</summary>
                        {step.actionSha && (
                          <p className="muted small" title={step.actionSha} data-testid="step-action-sha">
                            @ <code>{step.actionSha.slice(0, 12)}</code>
                          </p>
                        )}
                        {step.annotations.length > 0 && (
                          <ul className="annotations">
                            {step.annotations.map((annotation, index) => (
                              <li key={index} className={`annotation annotation-${annotation.level}`}>
                                <strong>{annotation.level}</strong> {annotation.file ? <code>{`${annotation.file}${annotation.line ? `:${annotation.line}` : ""}${annotation.col ? `:${annotation.col}` : ""}`}</code> : null} {annotation.message}
                              </li>
                            ))}
                          </ul>
                        )}
                        {step.summary && <StepSummary markdown={step.summary} />}
                        {failed && <p className="muted small">The log below opens at this step.</p>}
                      </details>
                    ) : (
                      line
                    )}
                  </li>
                );
              })}
            </ol>
          </JobLogSection>
        );
      })}
    </section>
  );
}
