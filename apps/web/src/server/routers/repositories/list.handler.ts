import type { TenantProcedureContext } from "../../trpc";
import { hasRole } from "../../roles";

export interface InstallationSummary {
  id: string;
  account: string;
  accountType: string;
  githubInstallationId: string;
  suspended: boolean;
}

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
  via: { gitSourceId: string; name: string; url: string } | { installationId: string; account: string; accountType: string; githubInstallationId: string } | null;
  lastRun: { id: string; runNumber: number; status: string; createdAt: string } | null;
}

/** The tenant's repositories with their workflow-folder settings (any member), and whether the caller may change them. */
export async function listRepositoriesHandler({ ctx }: { ctx: TenantProcedureContext }): Promise<{ repositories: RepositorySummary[]; installations: InstallationSummary[]; canManage: boolean }> {
  // Every live installation, also one whose repositories are all gone (Sync brings them back).
  const installations = await ctx.db.installation.findMany({ where: { deletedAt: null }, select: { id: true, accountLogin: true, accountType: true, githubInstallationId: true, suspendedAt: true }, orderBy: { accountLogin: "asc" } });
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
      installation: { select: { id: true, accountLogin: true, accountType: true, githubInstallationId: true } },
      runs: { orderBy: { createdAt: "desc" }, take: 1, select: { id: true, runNumber: true, status: true, createdAt: true } },
    },
    orderBy: { fullName: "asc" },
  });
  return {
    installations: installations.map((installation) => ({ id: installation.id, account: installation.accountLogin, accountType: installation.accountType, githubInstallationId: installation.githubInstallationId.toString(), suspended: installation.suspendedAt !== null })),
    repositories: rows.map(({ installationId, gitSourceId, gitSource, installation, runs, ...row }) => ({
      ...row,
      source: installationId ? "github" : gitSourceId ? "git" : "none",
      via: installation ? { installationId: installation.id, account: installation.accountLogin, accountType: installation.accountType, githubInstallationId: installation.githubInstallationId.toString() } : gitSource ? { gitSourceId: gitSource.id, name: gitSource.name, url: gitSource.url } : null,
      lastRun: runs[0] ? { ...runs[0], createdAt: runs[0].createdAt.toISOString() } : null,
    })),
    canManage: hasRole(ctx.role, "MAINTAINER"),
  };
}
