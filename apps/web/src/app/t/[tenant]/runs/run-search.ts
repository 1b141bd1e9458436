// The Runs page's URL: every filter and the page's cursor are query parameters, so a filtered view is a link to
// share and the back button walks back through filters and pages. Statuses are lower-case in the URL (`failed`).
import { runFilterInput, type RunFilterInput } from "../../../../server/routers/runs/run-filter.schema";

/** The query parameters, as the page gets them (a repeated parameter arrives as an array: its first value counts). */
export type RunSearchParams = Partial<Record<RunSearchKey | "cursor", string | string[]>>;

export const RUN_SEARCH_KEYS = ["q", "repo", "branch", "event", "status", "actor", "workflow"] as const;
export type RunSearchKey = (typeof RUN_SEARCH_KEYS)[number];
export type RunSearch = Partial<Record<RunSearchKey, string>>;

const first = (value: string | string[] | undefined) => (Array.isArray(value) ? value[0] : value)?.trim() || undefined;

/** The filters in the URL (empty ones dropped) and the cursor. */
export function readRunSearch(params: RunSearchParams): { search: RunSearch; cursor: string | undefined } {
  const search: RunSearch = {};
  for (const key of RUN_SEARCH_KEYS) {
    const value = first(params[key]);
    if (value !== undefined) search[key] = value;
  }
  return { search, cursor: first(params.cursor) };
}

/** The URL parameter each filter of the procedures comes from, to name it when it is refused. */
const PARAMETER_OF: Record<keyof RunFilterInput, RunSearchKey> = { text: "q", repository: "repo", branch: "branch", event: "event", status: "status", actor: "actor", workflow: "workflow" };

/** The procedures' filter input, checked by their own schema; a malformed value is refused with its parameter named. */
export function runFilterOf(search: RunSearch): { ok: true; filter: RunFilterInput } | { ok: false; problem: string } {
  const parsed = runFilterInput.safeParse({
    text: search.q,
    repository: search.repo,
    branch: search.branch,
    event: search.event,
    status: search.status?.toUpperCase(),
    actor: search.actor,
    workflow: search.workflow,
  });
  if (parsed.success) return { ok: true, filter: parsed.data };
  const issue = parsed.error.issues[0];
  const field = Object.entries(PARAMETER_OF).find(([key]) => key === issue?.path[0])?.[1] ?? "filter";
  return { ok: false, problem: `${field}: ${issue?.message ?? "not a value this filter takes"}` };
}

/** The Runs page's URL with `search` changed by `changes` (undefined removes a filter) and the given cursor. */
export function runListHref(tenant: string, search: RunSearch, changes: RunSearch = {}, cursor?: string): string {
  const params = new URLSearchParams();
  const next: RunSearch = { ...search, ...changes };
  for (const key of RUN_SEARCH_KEYS) {
    const value = next[key];
    if (value) params.set(key, value);
  }
  if (cursor) params.set("cursor", cursor);
  const query = params.toString();
  return `/t/${tenant}/runs${query ? `?${query}` : ""}`;
}
