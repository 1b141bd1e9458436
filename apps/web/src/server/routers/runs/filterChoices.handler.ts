// runs.filterChoices: what the run list's filters offer to choose from — the tenant's repositories and the events
// Gantry starts runs for. (Branches, actors and workflows are typed: listing them would mean reading every run.)
import type { TenantProcedureContext } from "../../trpc";

/** The events a run can be started by (docs/triggers.md), in the order people look for them. */
export const RUN_EVENTS = ["push", "pull_request", "pull_request_target", "workflow_dispatch", "schedule", "repository_dispatch", "workflow_run"] as const;

export async function runFilterChoicesHandler({ ctx }: { ctx: TenantProcedureContext }) {
  const repositories = await ctx.db.repository.findMany({ select: { fullName: true }, orderBy: { fullName: "asc" } });
  return { repositories: repositories.map((repository) => repository.fullName), events: [...RUN_EVENTS] };
}
