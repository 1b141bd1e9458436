"use client";
// The job's log terminal, loaded in the browser only: xterm.js needs the DOM and is not part of any other page.
import dynamic from "next/dynamic";

const LogTerminal = dynamic(() => import("./log-terminal"), {
  ssr: false,
  loading: () => <pre className="log">Loading the log…</pre>,
});

/** `failedStep`: the index of the step that failed, which the terminal scrolls to once the log is in. */
export function LiveLog({ tenant, runId, jobKey, failedStep = null }: { tenant: string; runId: string; jobKey: string; failedStep?: number | null }) {
  const url = `/api/t/${encodeURIComponent(tenant)}/runs/${encodeURIComponent(runId)}/jobs/${encodeURIComponent(jobKey)}/logs`;
  return <LogTerminal url={url} jobKey={jobKey} failedStep={failedStep} />;
}
