// Whether a GitHub user belongs to the organisation that installed the App, asked as the App (the installation's
// token; the App needs the organisation permission "Members: read"): GET /orgs/{org}/members/{username} answers
// 204 for a member and 404 for anyone else. Used at GitHub sign-in for a tenant's organisation join (docs/github.md).
import { GithubApiError } from "./http";
import { githubOctokit } from "./octokit";
import type { GithubClient } from "./workflow-reader";

export async function isOrganisationMember(client: GithubClient, installationId: bigint | number | string, organisation: string, login: string): Promise<boolean> {
  const octokit = githubOctokit({ apiUrl: client.apiUrl, auth: { tokens: client.tokens, installationId }, ...(client.fetch ? { fetch: client.fetch } : {}) });
  try {
    // Anything but an error is GitHub's 204: a member.
    await octokit.request("GET /orgs/{org}/members/{username}", { org: organisation, username: login });
    return true;
  } catch (error) {
    // 404: not a member (or not visible to the App); 302: GitHub's redirect for a requester outside the organisation.
    if (error instanceof GithubApiError && (error.status === 404 || error.status === 302)) return false;
    throw error;
  }
}
