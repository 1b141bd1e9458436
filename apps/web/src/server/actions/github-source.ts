// Every call Gantry makes to GitHub for remote actions, in one file (docs/actions.md): ref → commit with
// `GET /repos/{o}/{r}/commits/{ref}` (Accept: application/vnd.github.sha, the bare sha), the archive with
// `GET /repos/{o}/{r}/tarball/{sha}` (a redirect to codeload, followed). Through the run's installation token when
// the run's repository is connected through the GitHub App (packages/github InstallationTokens), anonymously
// otherwise (public repositories only, 60 requests an hour per address). A spent rate limit is never retried: the
// refusal says when it resets (x-ratelimit-reset), and the step's error shows it.
import { GITHUB_API_VERSION, type GithubClient } from "@gantry/github";
import { boundedBytes, type ActionSource, type Lookup } from "./source";
import type { RemoteUses } from "./uses";

export interface GithubActionsAccess {
  apiUrl: string;
  /** The App's client (installation tokens); null: no App configured. */
  client: GithubClient | null;
  /** The run's repository's installation (GitHub's id); null: not GitHub-connected. */
  installationId: bigint | null;
  fetch?: typeof fetch;
}

/** The spent-limit answer: when x-ratelimit-remaining is 0 on a 403/429, the reset time; else null. */
function rateLimitedUntil(response: Response): Date | null {
  if (response.status !== 403 && response.status !== 429) return null;
  if (response.headers.get("x-ratelimit-remaining") !== "0") return null;
  const reset = Number(response.headers.get("x-ratelimit-reset"));
  return Number.isFinite(reset) && reset > 0 ? new Date(reset * 1000) : null;
}

export function githubSource(access: GithubActionsAccess): ActionSource {
  const fetcher = access.fetch ?? fetch;
  let token: Promise<string | null> | undefined;
  // Minted once per resolution, and only when a call needs it. A token that cannot be had (App gone, installation
  // suspended) leaves the anonymous route for public repositories.
  const tokenOnce = () =>
    (token ??= access.client && access.installationId !== null ? access.client.tokens.get(access.installationId).then((minted) => minted.token, () => null) : Promise.resolve(null));
  const label = access.client && access.installationId !== null ? "GitHub (installation token)" : "GitHub (anonymous)";
  const limited = (until: Date) => ({
    why: `${label}: the API rate limit is used up until ${until.toISOString()} (x-ratelimit-reset)${access.installationId === null ? "; anonymous requests get 60 an hour, a repository connected through the GitHub App gets the installation's limit" : ""}`,
    until,
  });

  // A ref lookup is small: an unreachable GitHub (an air-gapped install without GANTRY_ACTIONS_DIR's folder) costs
  // 15 s before the mirror is asked. A tarball may be large.
  const call = async (path: string, accept: string, timeoutMs: number) => {
    const bearer = await tokenOnce();
    const response = await fetcher(`${access.apiUrl}${path}`, {
      headers: { accept, "user-agent": "gantry-ci", "x-github-api-version": GITHUB_API_VERSION, ...(bearer ? { authorization: `token ${bearer}` } : {}) },
      // fetch drops the Authorization header when the redirect leaves the API's origin (codeload).
      redirect: "follow",
      signal: AbortSignal.timeout(timeoutMs),
    });
    // A revoked token: the next resolution mints a new one.
    if (response.status === 401 && bearer && access.client && access.installationId !== null) access.client.tokens.forget(access.installationId);
    return response;
  };
  const repoPath = (uses: RemoteUses) => `/repos/${encodeURIComponent(uses.owner)}/${encodeURIComponent(uses.repo)}`;

  return {
    name: "github",
    label,
    async resolve(uses: RemoteUses): Promise<Lookup> {
      const response = await call(`${repoPath(uses)}/commits/${uses.ref.split("/").map(encodeURIComponent).join("/")}`, "application/vnd.github.sha", 15_000);
      const text = (await response.text()).trim();
      const until = rateLimitedUntil(response);
      if (until) return { found: false, ...limited(until) };
      if (response.ok && /^[0-9a-f]{40}$/.test(text)) return { found: true, sha: text };
      // GitHub answers 404 for an unknown or private repository and 422 for a ref that names no commit.
      if (response.status === 404 || response.status === 422) return { found: false, why: `${label}: no commit for ${uses.ref} in ${uses.repository} (${response.status})` };
      return { found: false, why: `${label}: GET commits/${uses.ref} answered ${response.status}` };
    },
    async download(uses: RemoteUses, sha: string) {
      const response = await call(`${repoPath(uses)}/tarball/${sha}`, "application/vnd.github+json", 300_000);
      const until = rateLimitedUntil(response);
      if (until) return { missing: limited(until).why, until };
      if (!response.ok) {
        await response.body?.cancel().catch(() => undefined);
        return { missing: `${label}: GET tarball/${sha} answered ${response.status}` };
      }
      return (await boundedBytes(response)) ?? { missing: `${label}: the tarball of ${uses.repository}@${sha} is larger than Gantry accepts` };
    },
  };
}
