// The Search page's URL: the query, the filters and the page's cursor are query parameters, so a search is a link.
import type { SearchLogsInput } from "../../../../server/routers/logs/search.schema";

export const LOG_SEARCH_KEYS = ["q", "repo", "branch", "workflow", "job", "from", "to"] as const;
export type LogSearchKey = (typeof LOG_SEARCH_KEYS)[number];
export type LogSearch = Partial<Record<LogSearchKey, string>>;
export type LogSearchParams = Partial<Record<LogSearchKey | "cursor", string | string[]>>;

const first = (value: string | string[] | undefined) => (Array.isArray(value) ? value[0] : value)?.trim() || undefined;

export function readLogSearch(params: LogSearchParams): { search: LogSearch; cursor: string | undefined } {
  const search: LogSearch = {};
  for (const key of LOG_SEARCH_KEYS) {
    const value = first(params[key]);
    if (value !== undefined) search[key] = value;
  }
  return { search, cursor: first(params.cursor) };
}

/** logs.search's input from the URL (the procedure's schema checks it). */
export function logSearchInput(tenant: string, search: LogSearch & { q: string }, cursor: string | undefined): Omit<SearchLogsInput, "limit"> & { limit?: number } {
  return {
    tenant,
    query: search.q,
    ...(search.repo ? { repository: search.repo } : {}),
    ...(search.branch ? { branch: search.branch } : {}),
    ...(search.workflow ? { workflow: search.workflow } : {}),
    ...(search.job ? { job: search.job } : {}),
    ...(search.from ? { from: search.from } : {}),
    ...(search.to ? { to: search.to } : {}),
    ...(cursor ? { cursor } : {}),
  };
}

export function logSearchHref(tenant: string, search: LogSearch, cursor?: string): string {
  const params = new URLSearchParams();
  for (const key of LOG_SEARCH_KEYS) if (search[key]) params.set(key, search[key]);
  if (cursor) params.set("cursor", cursor);
  return `/t/${tenant}/search?${params.toString()}`;
}
