// Proving who installed the App: the setup callback's `code` is exchanged for a user token (OAuth, on the web
// host), and GET /user/installations lists the installations that user can reach. A bare installation_id in a
// URL proves nothing; this does.
import { z } from "zod";
import type { Fetch } from "./http";
import { githubList, githubOctokit } from "./octokit";
import { account, githubId } from "./events/common";

const tokenAnswer = z.union([
  z.object({ access_token: z.string().min(1), token_type: z.string().optional() }),
  z.object({ error: z.string(), error_description: z.string().optional() }),
]);
const userInstallation = z.object({ id: githubId, account: account.nullable() });

export class GithubOAuthError extends Error {
  override name = "GithubOAuthError";
}

export interface OAuthClient {
  webUrl: string;
  clientId: string;
  clientSecret: string;
  fetch?: Fetch;
}

/** The user-to-server token for a setup/OAuth `code`; GithubOAuthError when GitHub refuses the code. */
export async function exchangeOAuthCode(client: OAuthClient, code: string): Promise<string> {
  const response = await (client.fetch ?? fetch)(`${client.webUrl}/login/oauth/access_token`, {
    method: "POST",
    headers: { accept: "application/json", "content-type": "application/json", "user-agent": "gantry-ci" },
    body: JSON.stringify({ client_id: client.clientId, client_secret: client.clientSecret, code }),
    signal: AbortSignal.timeout(15_000),
  });
  const parsed = tokenAnswer.safeParse(await response.json().catch(() => null));
  if (!response.ok || !parsed.success) throw new GithubOAuthError(`GitHub's token endpoint answered ${response.status}`);
  if ("error" in parsed.data) throw new GithubOAuthError(`GitHub refused the code: ${parsed.data.error_description ?? parsed.data.error}`);
  return parsed.data.access_token;
}

export type UserInstallation = z.infer<typeof userInstallation>;

/** The App's installations the user can access, every page. */
export async function listUserInstallations(apiUrl: string, userToken: string, fetcher?: Fetch): Promise<UserInstallation[]> {
  // plugin-paginate-rest unwraps GitHub's `{ total_count, installations }` pages into one list.
  const octokit = githubOctokit({ apiUrl, auth: { token: userToken }, ...(fetcher ? { fetch: fetcher } : {}) });
  return githubList(octokit, "/user/installations", userInstallation);
}
