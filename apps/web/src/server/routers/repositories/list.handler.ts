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
  /** The git source (plain git) or the GitHub account (installation) it comes through. */
  via: { gitSourceId: string; name: string; url: string } | { installationId: string; account: string } | null;
  lastRun: { id: string; runNumber: number; status: string; createdAt: string } | null;
}

/** The tenant's repositories with their workflow-folder settings (any member), and whether the caller may change them. */
export async function listRepositoriesHandler({ ctx }: { ctx: TenantProcedureContext }): Promise<{ repositories: RepositorySummary[]; canManage: boolean }> {
  const rows = await ctx.db.repository.findMany({
    select: {
      id: true,
      fullName: true,
      defaultBranch: true,
      archived: true,
      installationId: true,
      gitSourceId: true,
      readGantryWorkflows: true,
      readGithubWorkflows: true,
      gitSource: { select: { id: true, name: true, url: true } },
      installation: { select: { id: true, accountLogin: true } },
      runs: { orderBy: { createdAt: "desc" }, take: 1, select: { id: true, runNumber: true, status: true, createdAt: true } },
    },
    orderBy: { fullName: "asc" },
  });
  return {
    repositories: rows.map(({ installationId, gitSourceId, gitSource, installation, runs, ...row }) => ({
      ...row,
      source: installationId ? "github" : gitSourceId ? "git" : "none",
      via: installation ? { installationId: installation.id, account: installation.accountLogin } : gitSource ? { gitSourceId: gitSource.id, name: gitSource.name, url: gitSource.url } : null,
      lastRun: runs[0] ? { ...runs[0], createdAt: runs[0].createdAt.toISOString() } : null,
    })),
    canManage: hasRole(ctx.role, "MAINTAINER"),
  };
}
