// The run and one of its artifacts inside the caller's tenant, or NOT_FOUND naming what is missing.
import { TRPCError } from "@trpc/server";
import type { TenantProcedureContext } from "../../trpc";
import type { ArtifactInput, ListArtifactsInput } from "./list.schema";

export async function requireRun(ctx: TenantProcedureContext, input: ListArtifactsInput): Promise<void> {
  const run = await ctx.db.workflowRun.findFirst({ where: { id: input.runId }, select: { id: true } });
  if (!run) throw new TRPCError({ code: "NOT_FOUND", message: `No run ${input.runId} in ${ctx.tenant.slug}.` });
}

export async function requireArtifact(ctx: TenantProcedureContext, input: ArtifactInput) {
  await requireRun(ctx, input);
  const artifact = await ctx.db.artifact.findUnique({ where: { runId_name: { runId: input.runId, name: input.name } } });
  if (!artifact) throw new TRPCError({ code: "NOT_FOUND", message: `Run ${input.runId} has no artifact named ${JSON.stringify(input.name)}.` });
  return artifact;
}
