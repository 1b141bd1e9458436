import type { TenantProcedureContext } from "../../trpc";
import { hasRole } from "../../roles";

export interface RepositorySummary {
  id: string;
  fullName: string;
  /** Where its code comes from: a GitHub App installation or a plain git source. */
  source: "github" | "git" | "none";
  defaultBranch: string;
  archived: boolean;
  readGantryWorkflows: boolean;
  readGithubWorkflows: boolean;
}

/** The tenant's repositories with their workflow-folder settings (any member), and whether the caller may change them. */
export async function listRepositoriesHandler({ ctx }: { ctx: TenantProcedureContext }): Promise<{ repositories: RepositorySummary[]; canManage: boolean }> {
  const rows = await ctx.db.repository.findMany({
    select: { id: true, fullName: true, defaultBranch: true, archived: true, installationId: true, gitSourceId: true, readGantryWorkflows: true, readGithubWorkflows: true },
    orderBy: { fullName: "asc" },
  });
  return {
    repositories: rows.map(({ installationId, gitSourceId, ...row }) => ({ ...row, source: installationId ? "github" : gitSourceId ? "git" : "none" })),
    canManage: hasRole(ctx.role, "MAINTAINER"),
  };
}
