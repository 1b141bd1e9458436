// The per-status counts of the runs that match the other filters, as links that switch the status filter. Counting
// visits every matching run, so this renders on its own (in a Suspense boundary): the table does not wait for it.
import { RUN_STATUSES } from "@gantry/db";
import Link from "next/link";
import type { SessionUser } from "../../../../server/auth";
import { serverCaller } from "../../../../server/caller";
import type { RunFilterInput } from "../../../../server/routers/runs/run-filter.schema";
import { runListHref, type RunSearch } from "./run-search";

const number = new Intl.NumberFormat("en");

export async function StatusCounts({ session, tenant, filter, search }: { session: SessionUser; tenant: string; filter: RunFilterInput; search: RunSearch }) {
  const counts = await serverCaller(session).runs.counts({ tenant, ...filter });
  const all = RUN_STATUSES.reduce((sum, status) => sum + counts.byStatus[status], 0);
  const current = search.status?.toLowerCase();
  const entry = (status: string | undefined, label: string, count: number) => (
    <li key={label}>
      <Link href={runListHref(tenant, search, { status })} aria-current={current === status ? "page" : undefined} data-testid={`status-count-${status ?? "all"}`}>
        {label} <span className="count">{number.format(count)}</span>
      </Link>
    </li>
  );
  return (
    <nav className="status-counts" aria-label="Runs per status" data-testid="status-counts">
      <p className="muted small" data-testid="run-total">
        {number.format(counts.total)} {counts.total === 1 ? "run matches" : "runs match"}
      </p>
      <ul>
        {entry(undefined, "all", all)}
        {RUN_STATUSES.filter((status) => counts.byStatus[status] > 0 || current === status.toLowerCase()).map((status) => entry(status.toLowerCase(), status.toLowerCase().replace("_", " "), counts.byStatus[status]))}
      </ul>
    </nav>
  );
}
