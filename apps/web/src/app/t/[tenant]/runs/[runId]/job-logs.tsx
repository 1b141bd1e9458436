// Each job's latest attempt on the run page: its steps (status, annotations, GITHUB_STEP_SUMMARY) and its log in a
// terminal (xterm.js, client only, started when the job's section is opened) fed live by the log endpoint: the
// archive, then new chunks until the job ends.
import { RunStatus } from "../../../../../components/run-status";
import type { SessionUser } from "../../../../../server/auth";
import { serverCaller } from "../../../../../server/caller";
import { JobLogSection } from "./job-log-section";

export async function JobLogs({ session, tenant, runId, jobs }: { session: SessionUser; tenant: string; runId: string; jobs: { key: string; attempt: number }[] }) {
  const started = jobs.filter((job) => job.attempt > 0);
  if (started.length === 0) return null;
  const caller = serverCaller(session);
  // The steps only: the terminal reads the log itself (fromSeq past any chunk skips reading the archive here).
  const logs = await Promise.all(started.map(async (job) => ({ job, log: await caller.runs.logs({ tenant, runId, jobKey: job.key, fromSeq: 2 ** 31 - 1 }) })));
  return (
    <section className="card" data-testid="job-logs">
      <div className="card-head">
        <h2>Logs</h2>
      </div>
      {logs.map(({ job, log }) => (
        <JobLogSection
          key={job.key}
          tenant={tenant}
          runId={runId}
          jobKey={job.key}
          open={logs.length === 1}
          summary={
            <>
              {job.key} <span className="muted small">attempt {log.attempt}</span>
            </>
          }
        >
          <ol className="steps">
            {log.steps.map((step) => (
              <li key={step.index}>
                <RunStatus status={step.status} /> {step.name}
                {step.actionSha && (
                  <span className="muted small" title={step.actionSha} data-testid="step-action-sha">
                    {" "}
                    @ <code>{step.actionSha.slice(0, 12)}</code>
                  </span>
                )}
                {step.annotations.length > 0 && (
                  <ul className="errors">
                    {step.annotations.map((annotation, index) => (
                      <li key={index}>
                        <strong>{annotation.level}</strong> {annotation.file ? <code>{`${annotation.file}${annotation.line ? `:${annotation.line}` : ""}${annotation.col ? `:${annotation.col}` : ""}`}</code> : null} {annotation.message}
                      </li>
                    ))}
                  </ul>
                )}
                {step.summary && <pre className="summary">{step.summary}</pre>}
              </li>
            ))}
          </ol>
        </JobLogSection>
      ))}
    </section>
  );
}
