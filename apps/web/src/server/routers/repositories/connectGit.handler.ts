import { AUDIT_ACTIONS, randomId, recordAudit } from "@gantry/db";
import { TRPCError } from "@trpc/server";
import type { TenantProcedureContext } from "../../trpc";
import type { ConnectGitInput } from "./connectGit.schema";
import { newNotifySecret } from "./notify-secret";
import { isUniqueViolation } from "../../prisma-errors";


/**
 * Connects a plain git repository: a GitSource (its clone URL and sealed push secret) and the Repository pushes
 * name. The secret is answered once, here; rotateGitSecret replaces it. Reads `.gantry/workflows` only (a plain
 * git repository is not GitHub's).
 */
export async function connectGitHandler({ ctx, input }: { ctx: TenantProcedureContext; input: ConnectGitInput }) {
  const gitSourceId = randomId("gsrc");
  const repositoryId = randomId("repo");
  const { secret, sealed } = await newNotifySecret(ctx, gitSourceId);
  try {
    await ctx.db.$transaction([
      ctx.db.gitSource.create({ data: { id: gitSourceId, tenantId: ctx.tenant.id, name: input.name, url: input.url, notifySecretCiphertext: sealed } }),
      ctx.db.repository.create({ data: { id: repositoryId, tenantId: ctx.tenant.id, fullName: input.repository, gitSourceId, defaultBranch: input.defaultBranch, readGantryWorkflows: true, readGithubWorkflows: false } }),
    ]);
  } catch (error) {
    if (isUniqueViolation(error)) {
      const target = JSON.stringify((error as { meta?: unknown }).meta ?? "");
      throw new TRPCError({ code: "CONFLICT", message: target.includes("fullName") ? `Tenant '${ctx.tenant.slug}' already has a repository named '${input.repository}'.` : `Tenant '${ctx.tenant.slug}' already has a git source named '${input.name}'.` });
    }
    throw error;
  }
  await recordAudit(ctx.database, { tenantId: ctx.tenant.id, actor: { kind: "USER", id: ctx.session.userId }, action: AUDIT_ACTIONS.gitSourceCreated, target: { type: "GitSource", id: gitSourceId }, details: { name: input.name, url: input.url, repository: input.repository, defaultBranch: input.defaultBranch } });
  return { gitSource: { id: gitSourceId, name: input.name }, repository: { id: repositoryId, fullName: input.repository }, notifySecret: secret };
}
