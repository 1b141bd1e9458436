import { RUN_STATUSES } from "@gantry/db";
import type { Metadata } from "next";
import Link from "next/link";
import { Suspense } from "react";
import { TRPCError } from "@trpc/server";
import { RunTable } from "../../../../components/run-table";
import { getSessionUser } from "../../../../server/auth";
import { serverCaller } from "../../../../server/caller";
import { LiveRunRefresh } from "./live-run-refresh";
import { RunFilters } from "./run-filters";
import { readRunSearch, runFilterOf, runListHref, type RunSearchParams } from "./run-search";
import { StatusCounts } from "./status-counts";

export const metadata: Metadata = { title: "Runs" };
export const dynamic = "force-dynamic";

const PAGE_SIZE = 25;
/** The status filter's choices, as the URL spells them. */
const STATUS_CHOICES = RUN_STATUSES.map((status) => status.toLowerCase());

/**
 * Every run of the tenant, newest first, 25 a page (`?cursor=` pages back), filtered by repository, branch, event,
 * status, actor, workflow and a search; counts per status beside them; refreshed when a run's status changes.
 */
export default async function RunsPage({ params, searchParams }: { params: Promise<{ tenant: string }>; searchParams: Promise<RunSearchParams> }) {
  const { tenant } = await params;
  const { search, cursor } = readRunSearch(await searchParams);
  const session = await getSessionUser();
  // The layout has already sent anonymous visitors and non-members elsewhere.
  if (!session) return null;
  const caller = serverCaller(session);
  const choices = await caller.runs.filterChoices({ tenant });
  const parsed = runFilterOf(search);
  const refuse = (message: string) => (
    <section className="card" data-testid="run-list">
      <h1>Runs</h1>
      <RunFilters key={JSON.stringify(search)} tenant={tenant} search={search} repositories={choices.repositories} events={choices.events} statuses={STATUS_CHOICES} />
      <p className="form-error small" role="alert" data-testid="run-list-refused">
        These filters cannot be used: {message}
      </p>
      <Link href={`/t/${tenant}/runs`}>Clear the filters</Link>
    </section>
  );
  if (!parsed.ok) return refuse(parsed.problem);
  let page;
  try {
    page = await caller.runs.list({ tenant, ...parsed.filter, limit: PAGE_SIZE, ...(cursor ? { cursor } : {}) });
  } catch (error) {
    if (error instanceof TRPCError && error.code === "BAD_REQUEST") return refuse(error.message);
    throw error;
  }
  const filtered = Object.values(search).some(Boolean);
  // The form is keyed by the filters: a status link or the back button shows their values, not the last ones typed.
  return (
    <section className="card" data-testid="run-list">
      <div className="card-head">
        <h1>Runs</h1>
        <Link href={`/t/${tenant}/dispatch`} className="small">
          Run workflow
        </Link>
      </div>
      <RunFilters key={JSON.stringify(search)} tenant={tenant} search={search} repositories={choices.repositories} events={choices.events} statuses={STATUS_CHOICES} />
      <Suspense fallback={<p className="muted small">Counting runs…</p>}>
        <StatusCounts session={session} tenant={tenant} filter={parsed.filter} search={search} />
      </Suspense>
      {page.runs.length === 0 ? (
        <div className="empty" data-testid="run-list-empty">
          <p>{cursor ? "No older runs." : filtered ? "No runs match these filters." : "No runs yet."}</p>
          {filtered ? <Link href={`/t/${tenant}/runs`}>Clear the filters</Link> : null}
        </div>
      ) : (
        <RunTable tenant={tenant} runs={page.runs} now={new Date()} caption={filtered ? "Runs matching the filters, newest first" : "Runs, newest first"} showActor />
      )}
      <nav className="pager" aria-label="Pages of runs">
        {cursor ? (
          <Link href={runListHref(tenant, search)} data-testid="newest-page">
            ← Newest
          </Link>
        ) : null}
        {page.nextCursor ? (
          <Link href={runListHref(tenant, search, {}, page.nextCursor)} className="older" data-testid="older-page">
            Older →
          </Link>
        ) : null}
      </nav>
      <LiveRunRefresh tenant={tenant} />
    </section>
  );
}
