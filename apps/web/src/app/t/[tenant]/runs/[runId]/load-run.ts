// The run a run or job page shows, read once per request (the page and its title both need it): null when the run
// does not exist in the tenant. Membership is checked first (tenantAccess: sign-in or 404).
import { TRPCError } from "@trpc/server";
import { cache } from "react";
import { tenantAccess } from "../../../../../server/navigation/tenant-access";

export const loadRun = cache(async (tenant: string, runId: string) => {
  const { caller } = await tenantAccess(tenant);
  return caller.runs.get({ tenant, runId }).catch((error: unknown) => {
    if (error instanceof TRPCError && error.code === "NOT_FOUND") return null;
    throw error;
  });
});

/** Whether a run id that does not exist yet is a manual run recorded and waiting for intake. */
export const intakePending = cache(async (tenant: string, runId: string) => {
  const { caller } = await tenantAccess(tenant);
  return (await caller.runs.intakePending({ tenant, runId })).pending;
});

export type LoadedRun = NonNullable<Awaited<ReturnType<typeof loadRun>>>;

export { jobHref } from "./job-href";

/** "CI #12 · acme/app": how a run is named in titles. */
export function runTitle(run: Pick<LoadedRun, "workflowName" | "runNumber" | "repository">): string {
  return `${run.workflowName} #${run.runNumber} · ${run.repository}`;
}
