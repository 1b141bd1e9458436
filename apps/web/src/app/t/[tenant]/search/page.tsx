import type { Metadata } from "next";
import Link from "next/link";
import { TRPCError } from "@trpc/server";
import { getSessionUser } from "../../../../server/auth";
import { serverCaller } from "../../../../server/caller";
import { logSearchHref, logSearchInput, readLogSearch, type LogSearch, type LogSearchParams } from "./log-search-params";

export const metadata: Metadata = { title: "Search logs" };
export const dynamic = "force-dynamic";

type Hit = Awaited<ReturnType<ReturnType<typeof serverCaller>["logs"]["search"]>>["hits"][number];

/** Consecutive hits of one job attempt under one heading (hits come newest first), its lines in reading order. */
function groupByJob(hits: Hit[]): Hit[][] {
  const groups: Hit[][] = [];
  for (const hit of hits) {
    const last = groups.at(-1);
    const head = last?.[0];
    if (last && head && head.runId === hit.runId && head.jobKey === hit.jobKey && head.attempt === hit.attempt) last.push(hit);
    else groups.push([hit]);
  }
  return groups.map((group) => group.sort((a, b) => a.step - b.step || a.line - b.line));
}

const branchOf = (ref: string) => ref.replace(/^refs\/(heads|tags)\//, "");

/**
 * Search the archived logs of the tenant's runs (logs.search): a GET form (a search is a link, and works without
 * JavaScript), hits grouped by run and job, each line with the terms marked and a link to that line on the job page.
 */
export default async function SearchPage({ params, searchParams }: { params: Promise<{ tenant: string }>; searchParams: Promise<LogSearchParams> }) {
  const { tenant } = await params;
  const { search, cursor } = readLogSearch(await searchParams);
  const session = await getSessionUser();
  // The layout has already sent anonymous visitors and non-members elsewhere.
  if (!session) return null;
  const caller = serverCaller(session);
  const { repositories } = await caller.runs.filterChoices({ tenant });
  let result: { hits: Hit[]; nextCursor: string | null } | { refused: string } | null = null;
  if (search.q) {
    try {
      result = await caller.logs.search(logSearchInput(tenant, { ...search, q: search.q }, cursor));
    } catch (error) {
      if (!(error instanceof TRPCError) || error.code !== "BAD_REQUEST") throw error;
      result = { refused: error.message.startsWith("[") ? "a filter has a value it does not take (dates are YYYY-MM-DD)." : error.message };
    }
  }
  return (
    <section className="card" data-testid="log-search">
      <h1>Search logs</h1>
      <SearchForm tenant={tenant} search={search} repositories={repositories} />
      {result === null ? (
        <p className="muted small">Finds lines in the archived logs of this tenant&apos;s finished jobs: every word must be in the line (any case, anywhere in it); put a phrase in &quot;quotes&quot;.</p>
      ) : "refused" in result ? (
        <p className="form-error small" role="alert" data-testid="log-search-refused">
          This search cannot be run: {result.refused}
        </p>
      ) : result.hits.length === 0 ? (
        <div className="empty" data-testid="log-search-empty">
          <p>{cursor ? "No older lines match." : "No log lines match."}</p>
        </div>
      ) : (
        <>
          <h2 className="log-hits-title">Matching lines, newest first</h2>
          <ol className="log-hits" data-testid="log-search-results">
            {groupByJob(result.hits).map((group) => {
              const head = group[0];
              if (!head) return null;
              return (
                <li key={`${head.runId}-${head.jobKey}-${head.attempt}-${head.id}`} className="log-hit-group">
                  <h3 className="log-hit-head">
                    <Link href={`/t/${tenant}/runs/${head.runId}`}>
                      {head.workflowName} #{head.runNumber}
                    </Link>{" "}
                    · <Link href={`/t/${tenant}/runs/${head.runId}/jobs/${encodeURIComponent(head.jobKey)}`}>{head.jobName}</Link>
                    <span className="muted small">
                      {" "}
                      attempt {head.attempt} · {head.repository} · {branchOf(head.ref)}
                    </span>
                  </h3>
                  <ul className="log-hit-lines">
                    {group.map((hit) => (
                      <li key={hit.id} data-testid="log-hit">
                        <Link href={hit.href} className="log-hit-where small" aria-label={`Step ${hit.step}, line ${hit.line} of ${hit.jobName} in run #${hit.runNumber}`}>
                          step {hit.step} · line {hit.line}
                        </Link>
                        {/* Escaped on the server (highlight-line.ts): only <mark> is markup. */}
                        <code className="log-hit-text" dangerouslySetInnerHTML={{ __html: hit.html }} />
                      </li>
                    ))}
                  </ul>
                </li>
              );
            })}
          </ol>
          <nav className="pager" aria-label="Pages of results">
            {cursor ? (
              <Link href={logSearchHref(tenant, search)} data-testid="newest-hits">
                ← Newest
              </Link>
            ) : null}
            {result.nextCursor ? (
              <Link href={logSearchHref(tenant, search, result.nextCursor)} className="older" data-testid="older-hits">
                Older →
              </Link>
            ) : null}
          </nav>
        </>
      )}
    </section>
  );
}

function SearchForm({ tenant, search, repositories }: { tenant: string; search: LogSearch; repositories: string[] }) {
  const text = (name: keyof LogSearch, label: string, placeholder: string, type = "text") => (
    <div className="run-filter">
      <label htmlFor={`log-search-${name}`}>{label}</label>
      <input id={`log-search-${name}`} name={name} type={type} defaultValue={search[name] ?? ""} placeholder={placeholder} autoComplete="off" spellCheck={false} />
    </div>
  );
  const repoChoices = search.repo && !repositories.includes(search.repo) ? [...repositories, search.repo] : repositories;
  return (
    <form method="get" action={`/t/${tenant}/search`} className="log-search-form" role="search" aria-label="Search logs" key={JSON.stringify(search)}>
      <div className="run-filter log-search-query">
        <label htmlFor="log-search-q">Search for</label>
        <input id="log-search-q" name="q" type="search" required defaultValue={search.q ?? ""} placeholder='ECONNREFUSED, "exit code 1", a test name' autoComplete="off" spellCheck={false} />
      </div>
      <div className="run-filters">
        <div className="run-filter">
          <label htmlFor="log-search-repo">Repository</label>
          <select id="log-search-repo" name="repo" defaultValue={search.repo ?? ""}>
            <option value="">any</option>
            {repoChoices.map((repository) => (
              <option key={repository} value={repository}>
                {repository}
              </option>
            ))}
          </select>
        </div>
        {text("branch", "Branch or tag", "main")}
        {text("workflow", "Workflow", "ci or .github/workflows/ci.yml")}
        {text("job", "Job", "build")}
        {text("from", "Runs from", "", "date")}
        {text("to", "Runs until", "", "date")}
        <div className="run-filters-actions">
          <button type="submit" className="button primary">
            Search
          </button>
          {Object.values(search).some(Boolean) ? <Link href={`/t/${tenant}/search`}>Clear</Link> : null}
        </div>
      </div>
    </form>
  );
}
