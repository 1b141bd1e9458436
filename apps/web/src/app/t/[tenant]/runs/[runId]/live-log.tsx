"use client";
// The job's log terminal, loaded in the browser only: xterm.js needs the DOM and is not part of any other page.
import dynamic from "next/dynamic";

const LogTerminal = dynamic(() => import("./log-terminal"), {
  ssr: false,
  loading: () => <pre className="log">Loading the log…</pre>,
});

export function LiveLog({ tenant, runId, jobKey }: { tenant: string; runId: string; jobKey: string }) {
  const url = `/api/t/${encodeURIComponent(tenant)}/runs/${encodeURIComponent(runId)}/jobs/${encodeURIComponent(jobKey)}/logs`;
  return <LogTerminal url={url} jobKey={jobKey} />;
}
