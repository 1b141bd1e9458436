// One job of a run on its own page (what the run page's job rows link to): where it stands, what it needs, why it
// failed, every attempt, and its steps and log, opened.
import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { statusWord } from "@gantry/workflow-schema/status-words";
import { RunStatus } from "../../../../../../../components/run-status";
import { tenantAccess } from "../../../../../../../server/navigation/tenant-access";
import { JobLogs } from "../../job-logs";
import { jobHref, loadRun, runTitle } from "../../load-run";

export const dynamic = "force-dynamic";

type Params = Promise<{ tenant: string; runId: string; jobKey: string }>;

/** The segment as Next hands it to a page may still be percent-encoded ("test%20(20)"): either form names the job. */
function keyCandidates(segment: string): string[] {
  try {
    return [segment, decodeURIComponent(segment)];
  } catch {
    return [segment];
  }
}

async function loadJob(params: Params) {
  const { tenant, runId, jobKey } = await params;
  const run = await loadRun(tenant, runId);
  const keys = keyCandidates(jobKey);
  const job = run?.jobs.find((candidate) => keys.includes(candidate.key));
  return run && job ? { tenant, run, job } : null;
}

/** "build · CI #12 · acme/app · Gantry". */
export async function generateMetadata({ params }: { params: Params }): Promise<Metadata> {
  const found = await loadJob(params);
  if (!found) notFound();
  return { title: `${found.job.key} · ${runTitle(found.run)}` };
}

export default async function JobPage({ params }: { params: Params }) {
  const { tenant } = await params;
  const { session } = await tenantAccess(tenant);
  const found = await loadJob(params);
  if (!found) notFound();
  const { run, job } = found;
  const runPath = `/t/${tenant}/runs/${run.id}`;
  return (
    <>
      <section className="card" data-testid="job">
        <p className="small">
          <Link href={runPath}>
            ← {run.workflowName} #{run.runNumber}
          </Link>
        </p>
        <div className="card-head">
          <h1>{job.key}</h1>
          <RunStatus status={job.status} subject="job" />
        </div>
        <p className="muted small">
          {run.repository} · {run.ref.replace(/^refs\/(heads|tags)\//, "")} · <code>{run.sha.slice(0, 7)}</code>
          {job.needs.length > 0 && (
            <>
              {" "}
              · needs{" "}
              {job.needs.map((need, index) => (
                <span key={need}>
                  {index > 0 ? ", " : ""}
                  <Link href={jobHref(tenant, run.id, need)}>{need}</Link>
                </span>
              ))}
            </>
          )}
        </p>
        {job.failureReason && (
          <p className="form-error small" data-testid="job-failure">
            {job.failureReason}
            {job.failureCause ? ` (${job.failureCause})` : ""}
          </p>
        )}
        {job.attempts.length > 1 && (
          <ol className="small" data-testid="job-attempts">
            {job.attempts.map((attempt) => (
              <li key={attempt.number}>
                attempt {attempt.number}: {statusWord("attempt", attempt.status).word}
                {attempt.runner ? ` on ${attempt.runner}` : ""}
                {attempt.failureReason ? ` — ${attempt.failureReason}` : ""}
              </li>
            ))}
          </ol>
        )}
      </section>
      <JobLogs session={session} tenant={tenant} runId={run.id} jobs={[job]} />
    </>
  );
}
