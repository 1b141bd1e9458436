// The words people read for Gantry's stored statuses, the way GitHub Actions users read them: "queued" is waiting for
// a runner, "waiting" is waiting on something else (needs, an approval, a wait timer, a concurrency group). The
// database's enums keep their own meaning (a JobRun is QUEUED until its needs are met, WAITING once it is ready for a
// runner; a WorkflowRun is QUEUED until a job starts, WAITING while its concurrency group holds it), so the mapping
// differs by subject. Every place that shows a status to a person (dashboard, CLI, check-run text) reads it here.

export type StatusSubject = "run" | "job" | "step" | "attempt";

/** What a badge looks like: each tone has its own colour and icon, so no two read alike by colour alone. */
export type StatusTone = "success" | "failure" | "running" | "queued" | "waiting" | "skipped" | "cancelled" | "neutral";

export interface StatusWord {
  word: string;
  tone: StatusTone;
}

const QUEUED: StatusWord = { word: "queued", tone: "queued" };
const WAITING: StatusWord = { word: "waiting", tone: "waiting" };

/** Ended or running: read the same for every subject. */
const SHARED: Readonly<Record<string, StatusWord>> = {
  RUNNING: { word: "running", tone: "running" },
  SUCCEEDED: { word: "succeeded", tone: "success" },
  FAILED: { word: "failed", tone: "failure" },
  CANCELED: { word: "cancelled", tone: "cancelled" },
  TIMED_OUT: { word: "timed out", tone: "failure" },
  SKIPPED: { word: "skipped", tone: "skipped" },
};

const BY_SUBJECT: Readonly<Record<StatusSubject, Readonly<Record<string, StatusWord>>>> = {
  // A run is QUEUED while its jobs wait for runners; WAITING while its concurrency group holds it.
  run: { ...SHARED, QUEUED, WAITING },
  // A job is QUEUED while its needs, its environment's approval or wait timer hold it; WAITING when it is ready.
  job: { ...SHARED, QUEUED: WAITING, WAITING: QUEUED },
  // A step is QUEUED until the steps before it are done.
  step: { ...SHARED, QUEUED: WAITING, WAITING: QUEUED },
  // An attempt is ASSIGNED once a runner claimed it, until its sandbox is up.
  attempt: { ...SHARED, ASSIGNED: { word: "starting", tone: "running" }, LOST: { word: "lost", tone: "failure" } },
};

/** The word and badge tone for a stored status (`QUEUED`, `CANCELED`, …) of a run, job, step or attempt. */
export function statusWord(subject: StatusSubject, status: string): StatusWord {
  return BY_SUBJECT[subject][status] ?? { word: status.toLowerCase().replace(/_/g, " "), tone: "neutral" };
}

/** The run status a person typed (`cancelled`, `timed out`, `queued`, or the stored name itself), or undefined. */
export function runStatusFromWord(typed: string): string | undefined {
  const wanted = typed.trim().toLowerCase().replace(/[_-]+/g, " ");
  for (const [status, word] of Object.entries(BY_SUBJECT.run)) {
    if (word.word === wanted || status.toLowerCase().replace(/_/g, " ") === wanted) return status;
  }
  return undefined;
}
