// A run's, job's, step's or attempt's status as a badge: the word GitHub users read (queued = waiting for a runner,
// waiting = held by needs, an approval or a timer; @gantry/workflow-schema's statusWord is the one mapping), and a
// colour and an icon per kind, so running, queued, waiting, skipped and cancelled never look alike.
import type { ReactNode } from "react";
import { statusWord, type StatusSubject, type StatusTone } from "@gantry/workflow-schema/status-words";

// 16×16 outlines, drawn in the badge's colour; decorative (the word says it).
const ICONS: Record<StatusTone, ReactNode> = {
  success: <path d="M3.5 8.5l3 3 6-7" />,
  failure: <path d="M4.5 4.5l7 7M11.5 4.5l-7 7" />,
  running: (
    <>
      <circle cx="8" cy="8" r="5.5" strokeOpacity="0.3" />
      <path d="M8 2.5a5.5 5.5 0 015.5 5.5" />
    </>
  ),
  queued: (
    <>
      <circle cx="8" cy="8" r="5.5" />
      <path d="M8 5v3.2l2.2 1.4" />
    </>
  ),
  waiting: <path d="M6 4.5v7M10 4.5v7" />,
  skipped: <path d="M3.5 4.5l4 3.5-4 3.5M8.5 4.5l4 3.5-4 3.5" />,
  cancelled: (
    <>
      <circle cx="8" cy="8" r="5.5" />
      <path d="M4.2 11.8l7.6-7.6" />
    </>
  ),
  neutral: <circle cx="8" cy="8" r="2.5" />,
};

export function StatusIcon({ tone }: { tone: StatusTone }) {
  return (
    <svg className={`status-icon status-icon-${tone}`} viewBox="0 0 16 16" width="14" height="14" fill="none" stroke="currentColor" strokeWidth="1.8" strokeLinecap="round" strokeLinejoin="round" aria-hidden="true" focusable="false">
      {ICONS[tone]}
    </svg>
  );
}

/** A run's, job's or step's status; a fork's run held for a maintainer (WAITING) says so instead of "waiting". */
export function RunStatus({ status, subject = "run", awaitingApproval = false }: { status: string; subject?: StatusSubject; awaitingApproval?: boolean }) {
  const { tone } = statusWord(subject, status);
  const word = awaitingApproval ? "awaiting approval" : statusWord(subject, status).word;
  return (
    <span className={`badge status status-${tone}`} data-status={status} data-testid="status-badge">
      <StatusIcon tone={tone} />
      {word}
    </span>
  );
}
