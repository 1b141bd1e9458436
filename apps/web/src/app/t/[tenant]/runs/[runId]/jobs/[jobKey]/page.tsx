// One job of a run on its own page (what the run page's job rows link to): where it stands, what it needs, why it
// failed, its attempts as tabs (`?attempt=N`, the latest by default), and the chosen attempt's steps and log: each
// step's status, time, annotations and summary, its section of the log foldable, and the log viewer
// (job-log-viewer.tsx: groups, search, the first error, line permalinks, the raw download).
import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { RunStatus } from "../../../../../../../components/run-status";
import { tenantAccess } from "../../../../../../../server/navigation/tenant-access";
import { serverCaller } from "../../../../../../../server/caller";
import { jobHref, loadRun, runTitle } from "../../load-run";
import { hasStepDetails, StepDetails, StepLine } from "../../step-details";
import { AttemptTabs } from "./attempt-tabs";
import { JobLogPanel } from "./job-log-panel";

export const dynamic = "force-dynamic";

type Params = Promise<{ tenant: string; runId: string; jobKey: string }>;
type SearchParams = Promise<{ attempt?: string | string[] }>;

const FAILED = new Set(["FAILED", "TIMED_OUT"]);

/** The attempt `?attempt=N` names when the job has it; else the latest. */
function chosenAttempt(value: string | string[] | undefined, latest: number): number {
  const number = typeof value === "string" && /^\d{1,6}$/.test(value) ? Number(value) : 0;
  return number >= 1 && number <= latest ? number : latest;
}

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

export default async function JobPage({ params, searchParams }: { params: Params; searchParams: SearchParams }) {
  const { tenant } = await params;
  const { session } = await tenantAccess(tenant);
  const found = await loadJob(params);
  if (!found) notFound();
  const { run, job } = found;
  const runPath = `/t/${tenant}/runs/${run.id}`;
  const attempt = chosenAttempt((await searchParams).attempt, job.attempt);
  // The chosen attempt's steps (the viewer reads the log itself: fromSeq past any chunk skips the archive here).
  const log = attempt > 0 ? await serverCaller(session).runs.logs({ tenant, runId: run.id, jobKey: job.key, attempt, fromSeq: 2 ** 31 - 1 }) : null;
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
        <AttemptTabs path={jobHref(tenant, run.id, job.key)} attempts={job.attempts} selected={attempt} />
      </section>
      {attempt > 0 && log && (
        <section className="card" data-testid={`job-log-${job.key}`} aria-labelledby="job-log-title">
          <div className="card-head">
            <h2 id="job-log-title">Steps and log</h2>
            <span className="muted small">attempt {attempt}</span>
          </div>
          <JobLogPanel
            key={attempt}
            tenant={tenant}
            runId={run.id}
            jobKey={job.key}
            attempt={attempt}
            attemptStatus={job.attempts.find((candidate) => candidate.number === attempt)?.status ?? job.status}
            failedStep={log.steps.find((step) => FAILED.has(step.status))?.index ?? null}
            steps={log.steps.map((step) => ({
              index: step.index,
              name: step.name,
              status: step.status,
              line: <StepLine step={step} />,
              details: hasStepDetails(step) ? <StepDetails step={step} /> : null,
              open: FAILED.has(step.status) || step.annotations.length > 0 || Boolean(step.summary),
            }))}
          />
        </section>
      )}
    </>
  );
}
