// runs.counts: how many of the tenant's runs match the run list's filters, in all and per status (the per-status
// figures leave the status filter out: they say what each status would show).
import { countRuns } from "@gantry/db";
import type { TenantProcedureContext } from "../../trpc";
import type { RunCountsInput } from "./counts.schema";

export async function runCountsHandler({ ctx, input }: { ctx: TenantProcedureContext; input: RunCountsInput }) {
  const { tenant: _tenant, ...filter } = input;
  return countRuns(ctx.db, filter);
}
