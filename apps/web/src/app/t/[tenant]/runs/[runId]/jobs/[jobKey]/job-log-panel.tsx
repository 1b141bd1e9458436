"use client";
// The job page's steps and log together: each step (status, time, annotations and summary as the server rendered
// them) with a button that folds or unfolds its section of the log, and the log viewer (xterm.js, loaded in the
// browser only) the buttons drive.
import dynamic from "next/dynamic";
import { useCallback, useRef, useState, type ReactNode } from "react";
import type { LogViewerControls } from "./job-log-viewer";

const JobLogViewer = dynamic(() => import("./job-log-viewer"), {
  ssr: false,
  loading: () => <pre className="log">Loading the log…</pre>,
});

export interface PanelStep {
  index: number;
  name: string;
  status: string;
  /** The step's line: badge, name, duration. */
  line: ReactNode;
  /** Action commit, annotations, summary; null when it has none. */
  details: ReactNode;
  /** Whether the details start open (a failed step, annotations, a summary). */
  open: boolean;
}

export function JobLogPanel({ tenant, runId, jobKey, attempt, attemptStatus, failedStep, steps }: { tenant: string; runId: string; jobKey: string; attempt: number; attemptStatus: string; failedStep: number | null; steps: PanelStep[] }) {
  const controls = useRef<LogViewerControls | null>(null);
  const [foldedSteps, setFoldedSteps] = useState<number[]>([]);
  const onFoldedSteps = useCallback((folded: number[]) => setFoldedSteps(folded), []);
  const base = `/api/t/${encodeURIComponent(tenant)}/runs/${encodeURIComponent(runId)}/jobs/${encodeURIComponent(jobKey)}/logs`;
  return (
    <>
      <ol className="steps">
        {steps.map((step) => {
          const folded = foldedSteps.includes(step.index);
          return (
            <li key={step.index} data-testid={`step-${jobKey}-${step.index}`} data-status={step.status} className="job-step">
              {step.details ? (
                <details open={step.open}>
                  <summary>{step.line}</summary>
                  {step.details}
                </details>
              ) : (
                <span>{step.line}</span>
              )}
              <button type="button" className="step-log-toggle" aria-expanded={!folded} aria-label={`${folded ? "Show log" : "Hide log"}: ${step.name}`} onClick={() => controls.current?.toggleStep(step.index)}>
                {folded ? "Show log" : "Hide log"}
              </button>
            </li>
          );
        })}
      </ol>
      <JobLogViewer
        url={`${base}?attempt=${attempt}&follow=0`}
        rawUrl={`${base}/raw?attempt=${attempt}`}
        jobKey={jobKey}
        attempt={attempt}
        failedStep={failedStep}
        attemptStatus={attemptStatus}
        controls={controls}
        onFoldedSteps={onFoldedSteps}
      />
    </>
  );
}
