// A job's own page (also linked from client components, so apart from load-run.ts's server reads).

/** Keys hold spaces, parentheses and " / " (matrix cells, called workflows): encoded as one segment. */
export function jobHref(tenant: string, runId: string, jobKey: string): string {
  return `/t/${tenant}/runs/${runId}/jobs/${encodeURIComponent(jobKey)}`;
}
