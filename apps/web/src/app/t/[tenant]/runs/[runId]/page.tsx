import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { isTerminalRunStatus } from "@gantry/db";
import { TRPCError } from "@trpc/server";
import { RunStatus } from "../../../../../components/run-status";
import { PullRequestTargetBanner, UntrustedBadge } from "../../../../../components/run-trust";
import { ago } from "../../../../../components/status";
import { getSessionUser } from "../../../../../server/auth";
import { serverCaller } from "../../../../../server/caller";
import { JobLogs } from "./job-logs";
import { Approvals } from "./approvals";
import { CancelButton } from "./cancel-button";
import { ForkApproval } from "./fork-approval";
import { WorkflowWarnings } from "./workflow-warnings";

export const metadata: Metadata = { title: "Run" };
export const dynamic = "force-dynamic";

export default async function RunPage({ params }: { params: Promise<{ tenant: string; runId: string }> }) {
  const { tenant, runId } = await params;
  const session = await getSessionUser();
  if (!session) return null;
  const caller = serverCaller(session);
  const run = await caller.runs.get({ tenant, runId }).catch((error: unknown) => {
    if (error instanceof TRPCError && error.code === "NOT_FOUND") return null;
    throw error;
  });
  if (!run) {
    // A manual run's id is known before intake creates it: wait for it instead of a 404.
    if (!(await caller.runs.intakePending({ tenant, runId })).pending) notFound();
    return (
      <section className="card" data-testid="run-pending">
        <meta httpEquiv="refresh" content="2" />
        <div className="card-head">
          <h2>Run {runId}</h2>
          <span className="muted small">queued for intake</span>
        </div>
        <p className="muted small">The workflow run has been recorded and will appear here as soon as the worker takes it in.</p>
      </section>
    );
  }
  const now = new Date();
  return (
    <>
      <section className="card" data-testid="run">
        <div className="card-head">
          <h2>
            {run.workflowName} #{run.runNumber}
          </h2>
          <RunStatus status={run.status} awaitingApproval={run.approval?.awaiting ?? false} />
          <UntrustedBadge trusted={run.trusted} />
          {/* A run held for approval is cancelled from its banner, by those who may decide. */}
          {!isTerminalRunStatus(run.status) && !run.approval?.awaiting && <CancelButton tenant={tenant} runId={run.id} />}
        </div>
        <PullRequestTargetBanner event={run.event} />
        <ForkApproval tenant={tenant} runId={run.id} approval={run.approval} />
        <p className="muted small">
          {run.repository} · {run.event} · {run.ref.replace(/^refs\/(heads|tags)\//, "")} · <code>{run.sha.slice(0, 7)}</code> ·{" "}
          {run.workflowPath} · {ago(run.createdAt, now)}
        </p>
        {Object.keys(run.inputs).length > 0 && (
          <dl className="small" data-testid="run-inputs">
            {Object.entries(run.inputs).map(([name, value]) => (
              <div key={name}>
                <dt>{name}</dt>
                <dd>
                  <code>{JSON.stringify(value)}</code>
                </dd>
              </div>
            ))}
          </dl>
        )}
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
                <tr key={job.key}>
                  <td>{job.key}</td>
                  <td className="muted">{job.needs.join(", ") || "—"}</td>
                  <td>
                    <RunStatus status={job.status} />
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
                            attempt {attempt.number}: {attempt.status.toLowerCase()}
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
