// What of a run changes while its page is open: its status and times, its attempts and its jobs, in runs.get's own
// shape (so the jobs table, the header and the job graph read the same objects the page was first rendered with).
// The run page's stream (run-page-stream.ts) sends it whole on each change; the page starts from the same pick.
import type { inferRouterOutputs } from "@trpc/server";
import type { AppRouter } from "../routers/_app";

export type RunDetails = inferRouterOutputs<AppRouter>["runs"]["get"];

export type LiveRunState = Pick<RunDetails, "id" | "status" | "runAttempt" | "queuedAt" | "startedAt" | "finishedAt" | "jobs" | "runAttempts">;

export type LiveJob = LiveRunState["jobs"][number];

export function liveRunState(run: LiveRunState): LiveRunState {
  return { id: run.id, status: run.status, runAttempt: run.runAttempt, queuedAt: run.queuedAt, startedAt: run.startedAt, finishedAt: run.finishedAt, jobs: run.jobs, runAttempts: run.runAttempts };
}
