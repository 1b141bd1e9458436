// The Runs page's filters: a plain GET form, so a filtered view is a shareable link, the back button returns to the
// previous filters, and it works without JavaScript. Each control has its own label; Enter in any field applies them.
import { RUN_STATUSES } from "@gantry/db";
import Link from "next/link";
import type { RunSearch } from "./run-search";

const statusLabel = (status: string) => status.toLowerCase().replace("_", " ");

/** A select's options, with the current value kept when it is not among them (a shared link from elsewhere). */
function options(values: readonly string[], current: string | undefined): string[] {
  return current && !values.includes(current) ? [...values, current] : [...values];
}

export function RunFilters({ tenant, search, repositories, events }: { tenant: string; search: RunSearch; repositories: string[]; events: string[] }) {
  const text = (name: keyof RunSearch, label: string, placeholder: string, hint?: string) => (
    <label>
      {label}
      <input name={name} type={name === "q" ? "search" : "text"} defaultValue={search[name] ?? ""} placeholder={placeholder} autoComplete="off" spellCheck={false} aria-describedby={hint ? `run-filter-${name}-hint` : undefined} />
      {hint ? (
        <span id={`run-filter-${name}-hint`} className="muted small">
          {hint}
        </span>
      ) : null}
    </label>
  );
  const select = (name: keyof RunSearch, label: string, values: string[], show: (value: string) => string = (value) => value) => (
    <label>
      {label}
      <select name={name} defaultValue={search[name] ?? ""}>
        <option value="">any</option>
        {values.map((value) => (
          <option key={value} value={value}>
            {show(value)}
          </option>
        ))}
      </select>
    </label>
  );
  const filtered = Object.values(search).some(Boolean);
  return (
    <form method="get" action={`/t/${tenant}/runs`} className="run-filters" data-testid="run-filters" aria-label="Filter runs">
      {text("q", "Search", "#42, a commit or a workflow name", "run number, commit sha or part of the workflow's name")}
      {select("repo", "Repository", options(repositories, search.repo))}
      {text("branch", "Branch or tag", "main")}
      {select("event", "Event", options(events, search.event))}
      {select("status", "Status", options(RUN_STATUSES.map((status) => status.toLowerCase()), search.status), statusLabel)}
      {text("actor", "Actor", "who triggered it")}
      {text("workflow", "Workflow", "ci or .github/workflows/ci.yml")}
      <div className="run-filters-actions">
        <button type="submit" className="button primary">
          Filter
        </button>
        {filtered ? <Link href={`/t/${tenant}/runs`}>Clear filters</Link> : null}
      </div>
    </form>
  );
}
