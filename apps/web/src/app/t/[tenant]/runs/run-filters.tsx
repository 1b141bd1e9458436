"use client";
// The Runs page's filters: a GET form, so a filtered view is a shareable link, the back button returns to the
// previous filters, and it works without JavaScript. With JavaScript it navigates client-side to the URL of the
// filled-in fields only (a plain submit would add every empty one). Each control has its own label; Enter in any
// field applies them.
import Link from "next/link";
import { useRouter } from "next/navigation";
import type { FormEvent, ReactNode } from "react";
import type { RunSearch } from "./run-search";

const statusLabel = (status: string) => status.toLowerCase().replace("_", " ");

/** A select's options, with the current value kept when it is not among them (a shared link from elsewhere). */
function options(values: readonly string[], current: string | undefined): string[] {
  return current && !values.includes(current) ? [...values, current] : [...values];
}

export function RunFilters({ tenant, search, repositories, events, statuses }: { tenant: string; search: RunSearch; repositories: string[]; events: string[]; statuses: readonly string[] }) {
  const router = useRouter();
  const apply = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const params = new URLSearchParams();
    for (const [name, value] of new FormData(event.currentTarget)) if (typeof value === "string" && value.trim() !== "") params.set(name, value.trim());
    const query = params.toString();
    router.push(`/t/${tenant}/runs${query ? `?${query}` : ""}`);
  };
  // The label names its control by `for`, so a select's name is its label alone, not its options' text too.
  const field = (name: keyof RunSearch, label: string, control: ReactNode, hint?: string) => (
    <div className="run-filter">
      <label htmlFor={`run-filter-${name}`}>{label}</label>
      {control}
      {hint ? (
        <span id={`run-filter-${name}-hint`} className="muted small">
          {hint}
        </span>
      ) : null}
    </div>
  );
  const text = (name: keyof RunSearch, label: string, placeholder: string, hint?: string) =>
    field(
      name,
      label,
      <input id={`run-filter-${name}`} name={name} type={name === "q" ? "search" : "text"} defaultValue={search[name] ?? ""} placeholder={placeholder} autoComplete="off" spellCheck={false} aria-describedby={hint ? `run-filter-${name}-hint` : undefined} />,
      hint,
    );
  const select = (name: keyof RunSearch, label: string, values: string[], show: (value: string) => string = (value) => value) =>
    field(
      name,
      label,
      <select id={`run-filter-${name}`} name={name} defaultValue={search[name] ?? ""}>
        <option value="">any</option>
        {values.map((value) => (
          <option key={value} value={value}>
            {show(value)}
          </option>
        ))}
      </select>,
    );
  const filtered = Object.values(search).some(Boolean);
  return (
    <form method="get" action={`/t/${tenant}/runs`} onSubmit={apply} className="run-filters" data-testid="run-filters" aria-label="Filter runs">
      {text("q", "Search", "#42, a commit or a workflow name", "run number, commit sha or part of the workflow's name")}
      {select("repo", "Repository", options(repositories, search.repo))}
      {text("branch", "Branch or tag", "main")}
      {select("event", "Event", options(events, search.event))}
      {select("status", "Status", options(statuses, search.status), statusLabel)}
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
