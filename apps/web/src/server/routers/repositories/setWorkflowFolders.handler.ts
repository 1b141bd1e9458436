// Which folders a repository's workflows are read from (packages/sources workflow-folders.ts): a maintainer's
// change, audited with the old and new values. It applies to events taken in from now on (pushes, pull requests,
// schedules, re-runs, manual runs); runs already created keep the file they were made from.
import { AUDIT_ACTIONS, recordAudit } from "@gantry/db";
import { TRPCError } from "@trpc/server";
import type { TenantProcedureContext } from "../../trpc";
import type { SetWorkflowFoldersInput } from "./setWorkflowFolders.schema";

export async function setWorkflowFoldersHandler({ ctx, input }: { ctx: TenantProcedureContext; input: SetWorkflowFoldersInput }) {
  const before = await ctx.db.repository.findUnique({ where: { id: input.repositoryId }, select: { id: true, fullName: true, readGantryWorkflows: true, readGithubWorkflows: true } });
  if (!before) throw new TRPCError({ code: "NOT_FOUND", message: `Repository ${input.repositoryId} does not exist in ${ctx.tenant.slug}.` });
  const next = { readGantryWorkflows: input.readGantryWorkflows, readGithubWorkflows: input.readGithubWorkflows };
  if (before.readGantryWorkflows === next.readGantryWorkflows && before.readGithubWorkflows === next.readGithubWorkflows) return { id: before.id, ...next, changed: false };
  await ctx.db.repository.update({ where: { id: before.id }, data: next });
  await recordAudit(ctx.database, {
    tenantId: ctx.tenant.id,
    actor: { kind: "USER", id: ctx.session.userId },
    action: AUDIT_ACTIONS.repositoryWorkflowFoldersUpdated,
    target: { type: "Repository", id: before.id },
    details: {
      repository: before.fullName,
      from: { readGantryWorkflows: before.readGantryWorkflows, readGithubWorkflows: before.readGithubWorkflows },
      to: next,
    },
  });
  return { id: before.id, ...next, changed: true };
}
