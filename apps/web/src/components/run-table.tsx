// A table of runs (the overview's recent runs, the Runs page): each row links to its run page.
import Link from "next/link";
import { RelativeTime } from "./relative-time";
import { RunStatus } from "./run-status";

export interface RunTableRow {
  id: string;
  runNumber: number;
  workflowName: string;
  repository: string;
  event: string;
  ref: string;
  sha: string;
  status: string;
  triggeredBy: string | null;
  /** A fork's pull request run held for a maintainer's approval. */
  awaitingApproval: boolean;
  createdAt: string;
}

/** `refs/heads/main` → `main`, `refs/tags/v1` → `v1`; a pull request's `refs/pull/7/merge` stays as it is. */
export const shortRef = (ref: string) => ref.replace(/^refs\/(heads|tags)\//, "");

export function RunTable({ tenant, runs, now, caption, showActor = false }: { tenant: string; runs: RunTableRow[]; now: Date; caption: string; showActor?: boolean }) {
  return (
    <table data-testid="run-table">
      <caption className="visually-hidden">{caption}</caption>
      <thead>
        <tr>
          <th scope="col">Run</th>
          <th scope="col">Workflow</th>
          <th scope="col">Repository</th>
          <th scope="col">Event</th>
          <th scope="col">Commit</th>
          {showActor ? <th scope="col">Actor</th> : null}
          <th scope="col">Status</th>
          <th scope="col">Created</th>
        </tr>
      </thead>
      <tbody>
        {runs.map((run) => (
          <tr key={run.id} data-testid="run-row" data-run-id={run.id}>
            <td>
              <Link href={`/t/${tenant}/runs/${run.id}`}>#{run.runNumber}</Link>
            </td>
            <td>{run.workflowName}</td>
            <td>{run.repository}</td>
            <td>
              {run.event} · {shortRef(run.ref)}
            </td>
            <td>
              <code>{run.sha.slice(0, 7)}</code>
            </td>
            {showActor ? <td>{run.triggeredBy ?? <span className="muted">—</span>}</td> : null}
            <td>
              <RunStatus status={run.status} awaitingApproval={run.awaitingApproval} />
            </td>
            <td>
              <RelativeTime iso={run.createdAt} renderedAt={now.toISOString()} />
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
