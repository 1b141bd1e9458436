// What is under a step's line on the run and job pages: the commit a remote action resolved to, the step's
// annotations (file:line:col and message) and its GITHUB_STEP_SUMMARY as sanitized Markdown.
import { RunStatus } from "../../../../../components/run-status";
import { duration } from "../../../../../components/status";
import { StepSummary } from "../../../../../components/step-summary";

export interface StepForDetails {
  name: string;
  status: string;
  actionSha: string | null;
  summary: string | null;
  annotations: { level: string; message: string; file?: string; line?: number; col?: number }[];
  startedAt: string | null;
  finishedAt: string | null;
}

/** The step's line: its badge, name and how long it took. */
export function StepLine({ step }: { step: StepForDetails }) {
  return (
    <>
      <RunStatus status={step.status} subject="step" /> <span className="step-name">{step.name}</span>
      {step.startedAt && step.finishedAt ? <span className="muted small"> {duration(step.startedAt, step.finishedAt)}</span> : null}
    </>
  );
}

/** Whether a step has anything to show under its line. */
export const hasStepDetails = (step: StepForDetails) => step.annotations.length > 0 || Boolean(step.summary) || Boolean(step.actionSha);

export function StepDetails({ step }: { step: StepForDetails }) {
  return (
    <>
      {step.actionSha && (
        <p className="muted small" title={step.actionSha} data-testid="step-action-sha">
          @ <code>{step.actionSha.slice(0, 12)}</code>
        </p>
      )}
      {step.annotations.length > 0 && (
        <ul className="annotations">
          {step.annotations.map((annotation, index) => (
            <li key={index} className={`annotation annotation-${annotation.level}`}>
              <strong>{annotation.level}</strong> {annotation.file ? <code>{`${annotation.file}${annotation.line ? `:${annotation.line}` : ""}${annotation.col ? `:${annotation.col}` : ""}`}</code> : null} {annotation.message}
            </li>
          ))}
        </ul>
      )}
      {step.summary && <StepSummary markdown={step.summary} />}
    </>
  );
}
