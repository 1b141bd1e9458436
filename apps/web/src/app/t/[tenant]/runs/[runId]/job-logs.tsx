// Each job's latest attempt on the run page (and the one job on its job page): its steps (status, time, annotations,
// GITHUB_STEP_SUMMARY as Markdown) and its log in a terminal (xterm.js, client only, started when the job's section
// is opened: job-log-section.tsx) fed live by the log endpoint: the archive, then new chunks until the job ends. What
// failed is open: the failed jobs' sections, their failed steps, and the terminal scrolled to the failed step.
import { RunStatus } from "../../../../../components/run-status";
import type { SessionUser } from "../../../../../server/auth";
import { serverCaller } from "../../../../../server/caller";
import { JobLogSection } from "./job-log-section";
import { hasStepDetails, StepDetails, StepLine } from "./step-details";

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
                return (
                  <li key={step.index} data-testid={`step-${job.key}-${step.index}`} data-status={step.status}>
                    {failed || hasStepDetails(step) ? (
                      <details open={failed || step.annotations.length > 0 || Boolean(step.summary)}>
                        <summary>
                          <StepLine step={step} />
                        </summary>
                        <StepDetails step={step} />
                        {failed && <p className="muted small">The log below opens at this step.</p>}
                      </details>
                    ) : (
                      <StepLine step={step} />
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
