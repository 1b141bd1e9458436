import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { isTerminalRunStatus } from "@gantry/db";
import { RelativeTime } from "../../../../../components/relative-time";
import { RunStatus } from "../../../../../components/run-status";
import { PullRequestTargetBanner, UntrustedBadge } from "../../../../../components/run-trust";
import { statusWord } from "@gantry/workflow-schema/status-words";
import { tenantAccess } from "../../../../../server/navigation/tenant-access";
import { JobLogs } from "./job-logs";
import { Approvals } from "./approvals";
import { CancelButton } from "./cancel-button";
import { ForkApproval } from "./fork-approval";
import { intakePending, jobHref, loadRun, runTitle } from "./load-run";
import { RunInputs } from "./run-inputs";
import { RunGraph } from "./run-graph/run-graph";
import { WorkflowWarnings } from "./workflow-warnings";

export const dynamic = "force-dynamic";

type Params = Promise<{ tenant: string; runId: string }>;

/** "CI #12 · acme/app · Gantry"; a manual run still in intake is "Run queued for intake". */
export async function generateMetadata({ params }: { params: Params }): Promise<Metadata> {
  const { tenant, runId } = await params;
  const run = await loadRun(tenant, runId);
  if (run) return { title: runTitle(run) };
  if (!(await intakePending(tenant, runId))) notFound();
  return { title: "Run queued for intake" };
}

export default async function RunPage({ params }: { params: Params }) {
  const { tenant, runId } = await params;
  const { session } = await tenantAccess(tenant);
  const run = await loadRun(tenant, runId);
  if (!run) {
    // A manual run's id is known before intake creates it: wait for it instead of a 404.
    if (!(await intakePending(tenant, runId))) notFound();
    return (
      <section className="card" data-testid="run-pending">
        <meta httpEquiv="refresh" content="2" />
        <div className="card-head">
          <h1>Run {runId}</h1>
          <span className="muted small">queued for intake</span>
        </div>
        <p className="muted small">The workflow run has been recorded and will appear here as soon as the worker takes it in.</p>
      </section>
    );
  }
  const now = new Date().toISOString();
  return (
    <>
      <section className="card" data-testid="run">
        <div className="card-head">
          <h1>
            {run.workflowName} #{run.runNumber}
          </h1>
          <RunStatus status={run.status} awaitingApproval={run.approval?.awaiting ?? false} />
          <UntrustedBadge trusted={run.trusted} />
          {/* A run held for approval is cancelled from its banner, by those who may decide. */}
          {!isTerminalRunStatus(run.status) && !run.approval?.awaiting && <CancelButton tenant={tenant} runId={run.id} />}
        </div>
        <PullRequestTargetBanner event={run.event} />
        <ForkApproval tenant={tenant} runId={run.id} approval={run.approval} />
        <p className="muted small">
          {run.repository} · {run.event} · {run.ref.replace(/^refs\/(heads|tags)\//, "")} · <code>{run.sha.slice(0, 7)}</code> · {run.workflowPath} · <RelativeTime iso={run.createdAt} renderedAt={now} />
        </p>
        <RunInputs inputs={run.inputs} />
        {run.triggeredBy && <p className="muted small">triggered by {run.triggeredBy}</p>}
        <p className="small">
          <Link href={`/t/${tenant}`}>← all runs</Link>
        </p>
      </section>
      <Approvals session={session} tenant={tenant} runId={run.id} />
      {run.errors.length > 0 && (
        <section className="card" data-testid="run-errors">
          <div className="card-head">
            <h2>Workflow errors</h2>
            <span className="muted small">{run.errors.length}</span>
          </div>
          <ul className="errors">
            {run.errors.map((error, index) => (
              <li key={index}>
                <code>
                  {error.file}:{error.line}:{error.col}
                </code>{" "}
                {error.message} <span className="muted small">[{error.code}]</span>
              </li>
            ))}
          </ul>
        </section>
      )}
      <WorkflowWarnings warnings={run.warnings} />
      {run.jobs.length > 0 && <RunGraph tenant={tenant} runId={run.id} jobs={run.jobs} />}
      {run.jobs.length > 0 && (
        <section className="card" data-testid="run-jobs">
          <div className="card-head">
            <h2>Jobs</h2>
            <span className="muted small">{run.jobs.length}</span>
          </div>
          <table>
            <thead>
              <tr>
                <th>Job</th>
                <th>Needs</th>
                <th>Status</th>
                <th>Attempt</th>
                <th>Note</th>
              </tr>
            </thead>
            <tbody>
              {run.jobs.map((job) => (
                <tr key={job.key} data-testid={`job-row-${job.key}`}>
                  <td>
                    <Link href={jobHref(tenant, run.id, job.key)}>{job.key}</Link>
                  </td>
                  <td className="muted">{job.needs.join(", ") || "—"}</td>
                  <td>
                    <RunStatus status={job.status} subject="job" />
                  </td>
                  <td>{job.attempt || "—"}</td>
                  <td className="muted small">
                    {job.calls && (
                      <span data-testid="job-calls">
                        calls <code>{job.calls}</code>{" "}
                      </span>
                    )}
                    {job.failureReason ?? ""}
                    {job.waiting && <span data-testid="job-waiting" data-reason={job.waiting.reason.kind}>{job.waiting.text}</span>}
                    {job.failureCause && <span data-testid="job-cause"> ({job.failureCause})</span>}
                    {/* Every attempt, once there is more than one or one failed without ending the job (a retry is due). */}
                    {(job.attempts.length > 1 || job.attempts.some((attempt) => attempt.failureCause !== null && job.failureCause === null)) && (
                      <ol data-testid="job-attempts">
                        {job.attempts.map((attempt) => (
                          <li key={attempt.number} data-testid="job-attempt">
                            attempt {attempt.number}: {statusWord("attempt", attempt.status).word}
                            {attempt.failureCause ? ` (${attempt.failureCause})` : ""}
                            {attempt.runner ? ` on ${attempt.runner}` : ""}
                            {attempt.failureReason ? ` — ${attempt.failureReason}` : ""}
                          </li>
                        ))}
                      </ol>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </section>
      )}
      <JobLogs session={session} tenant={tenant} runId={run.id} jobs={run.jobs} />
    </>
  );
}
