// The repositories an installation may reach now, as GitHub lists them (`GET /installation/repositories` with the
// installation's token, every page): what "Sync now" reconciles the tenant's rows with.
import { installationRepository, type GithubInstallationRepository } from "../events/common";
import { githubList, githubOctokit } from "../octokit";
import type { GithubClient } from "../workflow-reader";

export function listInstallationRepositories(client: GithubClient, installationId: number | bigint): Promise<GithubInstallationRepository[]> {
  const octokit = githubOctokit({ apiUrl: client.apiUrl, auth: { tokens: client.tokens, installationId }, ...(client.fetch ? { fetch: client.fetch } : {}) });
  return githubList(octokit, "/installation/repositories", installationRepository);
}
