// Reading one run as it goes: a run dispatched a moment ago may not exist yet (the worker's intake creates it), so a
// NOT_FOUND is waited out while runs.intakePending says the run is on its way.
import { ApiError, type GantryApi } from "./api";
import { intakePendingAnswer, runAnswer, type RunDetail } from "./answers";

export async function readRun(api: GantryApi, tenant: string, runId: string): Promise<RunDetail> {
  return api.query("runs.get", { tenant, runId }, runAnswer);
}

/** The run, or null while its intake is still pending; a run that is neither is an error. */
export async function readRunOrPending(api: GantryApi, tenant: string, runId: string): Promise<RunDetail | null> {
  try {
    return await readRun(api, tenant, runId);
  } catch (error) {
    if (!(error instanceof ApiError) || error.code !== "NOT_FOUND") throw error;
    const { pending } = await api.query("runs.intakePending", { tenant, runId }, intakePendingAnswer);
    if (pending) return null;
    throw error;
  }
}

/** 0 for a run that succeeded, 1 for any other end. */
export function exitCodeOf(run: RunDetail): number {
  return run.status === "SUCCEEDED" ? 0 : 1;
}

/** Seconds between polls, from --interval (default 2). */
export function pollInterval(raw: number | undefined): number {
  return (raw ?? 2) * 1000;
}
