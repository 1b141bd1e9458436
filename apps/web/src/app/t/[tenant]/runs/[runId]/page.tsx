import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { RelativeTime } from "../../../../../components/relative-time";
import { PullRequestTargetBanner, UntrustedBadge } from "../../../../../components/run-trust";
import { tenantAccess } from "../../../../../server/navigation/tenant-access";
import { JobLogs } from "./job-logs";
import { Approvals } from "./approvals";
import { fileAtCommitUrl } from "./file-at-commit";
import { LiveJobs } from "./live-jobs";
import { liveRunState } from "../../../../../server/run-events/live-run-state";
import { RunActions, LiveRunStatus } from "./run-actions";
import { RunOriginLine } from "./run-origin-line";
import { RunTimes } from "./run-times";
import { LiveRunProvider } from "./use-live-run";
import { ForkApproval } from "./fork-approval";
import { intakePending, loadRun, runTitle } from "./load-run";
import { RunAnnotations } from "./run-annotations";
import { RunArtifacts } from "./run-artifacts";
import { RunInputs } from "./run-inputs";
import { LiveRunGraph } from "./live-run-graph";
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
  const awaitingApproval = run.approval?.awaiting ?? false;
  return (
    <LiveRunProvider tenant={tenant} initial={liveRunState(run)}>
      <section className="card" data-testid="run">
        <div className="card-head">
          <h1>
            {run.workflowName} #{run.runNumber}
          </h1>
          <LiveRunStatus awaitingApproval={awaitingApproval} />
          <UntrustedBadge trusted={run.trusted} />
          <RunActions tenant={tenant} canRerun={run.canRerun} awaitingApproval={awaitingApproval} />
        </div>
        <PullRequestTargetBanner event={run.event} />
        <ForkApproval tenant={tenant} runId={run.id} approval={run.approval} />
        <p className="muted small">
          {run.repository} · created <RelativeTime iso={run.createdAt} renderedAt={now} />
        </p>
        <RunOriginLine run={run} />
        <RunTimes renderedAt={now} />
        <RunInputs inputs={run.inputs} />
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
            {run.errors.map((error, index) => {
              const at = `${error.file}:${error.line}:${error.col}`;
              const url = fileAtCommitUrl(run.origin.repositoryUrl, run.sha, error.file, error.line);
              return (
                <li key={index}>
                  {url ? (
                    <a href={url} rel="noreferrer">
                      <code>{at}</code>
                    </a>
                  ) : (
                    <code>{at}</code>
                  )}{" "}
                  {error.message} <span className="muted small">[{error.code}]</span>
                </li>
              );
            })}
          </ul>
        </section>
      )}
      <WorkflowWarnings warnings={run.warnings} />
      <LiveRunGraph tenant={tenant} />
      <LiveJobs tenant={tenant} canRerun={run.canRerun} renderedAt={now} />
      <RunAnnotations session={session} tenant={tenant} runId={run.id} />
      <RunArtifacts session={session} tenant={tenant} runId={run.id} />
      <JobLogs session={session} tenant={tenant} runId={run.id} jobs={run.jobs} />
    </LiveRunProvider>
  );
}
