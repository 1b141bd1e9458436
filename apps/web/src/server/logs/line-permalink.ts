// A line's permalink on the job page: /t/<tenant>/runs/<runId>/jobs/<jobKey>#step-<N>-line-<M>, N and M 1-based
// (the step's index + 1, the line within that step's log as log-index.ts numbers it). The job page's line anchors
// use the same format.
export const jobLinePermalink = (tenant: string, runId: string, jobKey: string, step: number, line: number) =>
  `/t/${encodeURIComponent(tenant)}/runs/${encodeURIComponent(runId)}/jobs/${encodeURIComponent(jobKey)}#step-${step}-line-${line}`;
