"use client";
// One job's section of the run page's logs. Its terminal starts when the section is first opened: a job nobody opens
// costs no log stream (each holds a Redis connection on the server), and the terminal is fitted to a box that has a
// size (inside a closed <details> it has none, and the fit addon leaves the terminal at 80×24).
import { useState, type ReactNode } from "react";
import { LiveLog } from "./live-log";

export function JobLogSection({ tenant, runId, jobKey, failedStep = null, open, summary, children }: { tenant: string; runId: string; jobKey: string; failedStep?: number | null; open: boolean; summary: ReactNode; children: ReactNode }) {
  const [opened, setOpened] = useState(open);
  return (
    <details open={open} data-testid={`job-log-${jobKey}`} onToggle={(event) => event.currentTarget.open && setOpened(true)}>
      <summary>{summary}</summary>
      {children}
      {opened ? <LiveLog tenant={tenant} runId={runId} jobKey={jobKey} failedStep={failedStep} /> : null}
    </details>
  );
}
