// Installation access tokens: minted with the App's JWT (POST /app/installations/{id}/access_tokens) through
// `@octokit/auth-app`, valid an hour, cached here per installation until five minutes before they expire (the
// library's own cache is off: its clock is the machine's, ours is injectable). Concurrent callers share one request.
// The JWT is ours (jwt.ts, through the library's `createJwt`) so that tests can move the clock.
// Narrowed tokens (one job's repositories and permissions: its GITHUB_TOKEN, a checkout token) are minted fresh,
// never cached, and revoked with DELETE /installation/token when their holder is done.
import type { KeyObject } from "node:crypto";
import { createAppAuth } from "@octokit/auth-app";
import { request as octokitRequest } from "@octokit/request";
import { RequestError } from "@octokit/request-error";
import { z } from "zod";
import { GithubApiError, GITHUB_API_VERSION, type Fetch } from "./http";
import { githubCall, githubOctokit, REQUEST_TIMEOUT_MS } from "./octokit";
import { signAppJwt } from "./jwt";
import type { TokenPermissions } from "./token-permissions";

export const TOKEN_REFRESH_MARGIN_MS = 5 * 60_000;

const installationToken = z.object({
  token: z.string().min(1),
  expires_at: z.iso.datetime({ offset: true }),
  permissions: z.record(z.string(), z.string()).optional(),
  repositories: z.array(z.object({ id: z.number().int(), full_name: z.string() })).optional(),
});

const installationGrant = z.object({ id: z.number().int(), permissions: z.record(z.string(), z.string()) });

/** What a narrowed token may reach: repositories by GitHub id or name (within the installation) and permissions. */
export interface TokenNarrowing {
  repositoryIds?: number[];
  /** Repository names without the owner (GitHub's `repositories` field). */
  repositories?: string[];
  permissions?: TokenPermissions;
}

export interface NarrowedToken extends InstallationToken {
  /** The permissions GitHub granted (it answers with them). */
  permissions: Record<string, string>;
}

export interface InstallationToken {
  token: string;
  expiresAt: Date;
}

export interface InstallationTokensOptions {
  appId: string;
  privateKey: KeyObject;
  apiUrl: string;
  /** Milliseconds since the epoch; tests move it. */
  now?: () => number;
  fetch?: Fetch;
}

export class InstallationTokens {
  private readonly cache = new Map<string, InstallationToken>();
  private readonly pending = new Map<string, Promise<InstallationToken>>();
  private readonly grants = new Map<string, { permissions: Record<string, string>; until: number }>();
  private readonly now: () => number;

  private readonly auth: ReturnType<typeof createAppAuth>;
  private readonly request: typeof octokitRequest;

  constructor(private readonly options: InstallationTokensOptions) {
    this.now = options.now ?? Date.now;
    this.request = octokitRequest.defaults({
      baseUrl: options.apiUrl,
      headers: { "user-agent": "gantry-ci", "x-github-api-version": GITHUB_API_VERSION },
      // Each exchange gives up after 15 s, as every other GitHub call here does.
      request: { fetch: (url: string | URL | Request, init?: RequestInit) => (options.fetch ?? fetch)(url, { ...init, signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) }) },
    });
    this.auth = createAppAuth({
      appId: options.appId,
      createJwt: async (appId) => {
        const now = this.now();
        return { jwt: signAppJwt(String(appId), options.privateKey, now), expiresAt: new Date(now + 9 * 60_000).toISOString() };
      },
      request: this.request,
      // Never serve a cached token from the library: this class decides when a token is still good.
      cache: { get: () => "", set: () => undefined },
    });
  }

  /** A token for the installation, from the cache while it has more than five minutes left. */
  async get(installationId: number | bigint | string): Promise<InstallationToken> {
    const id = String(installationId);
    const cached = this.cache.get(id);
    if (cached && cached.expiresAt.getTime() - TOKEN_REFRESH_MARGIN_MS > this.now()) return cached;
    const inFlight = this.pending.get(id);
    if (inFlight) return inFlight;
    const minting = this.mint(id).finally(() => this.pending.delete(id));
    this.pending.set(id, minting);
    return minting;
  }

  /** The permissions the installation was granted (GET /app/installations/{id}), cached five minutes. */
  async installationPermissions(installationId: number | bigint | string): Promise<Record<string, string>> {
    const id = String(installationId);
    const cached = this.grants.get(id);
    if (cached && cached.until > this.now()) return cached.permissions;
    const octokit = githubOctokit({ apiUrl: this.options.apiUrl, auth: { jwt: () => signAppJwt(this.options.appId, this.options.privateKey, this.now()) }, ...(this.options.fetch ? { fetch: this.options.fetch } : {}) });
    const body = await githubCall(octokit, "GET", `/app/installations/${encodeURIComponent(id)}`, installationGrant);
    this.grants.set(id, { permissions: body.permissions, until: this.now() + TOKEN_REFRESH_MARGIN_MS });
    return body.permissions;
  }

  /** Forget a token GitHub refused (revoked, installation suspended) so the next call mints a new one. */
  forget(installationId: number | bigint | string): void {
    this.cache.delete(String(installationId));
  }

  /** Forget every cached token (a repository call answered 401: the token was revoked). */
  clear(): void {
    this.cache.clear();
  }

  /**
   * A fresh token limited to some repositories and permissions (never cached: each holder revokes its own). GitHub
   * answers 422 when a permission is asked that the installation was not granted, or a repository is not in it.
   */
  async mintNarrowed(installationId: number | bigint | string, narrowing: TokenNarrowing): Promise<NarrowedToken> {
    const id = String(installationId);
    if (!/^\d+$/.test(id)) throw new GithubApiError("POST", `/app/installations/${id}/access_tokens`, 404, "not an installation id");
    // Not through the library's installation flow: it shares one request between concurrent callers asking the same
    // narrowing, so two jobs of one repository claimed at once got one token — and the first to end revoked it.
    const { token: jwt } = await this.auth({ type: "app" });
    try {
      const { data } = await this.request("POST /app/installations/{installation_id}/access_tokens", {
        installation_id: Number(id),
        headers: { authorization: `bearer ${jwt}` },
        ...(narrowing.repositoryIds ? { repository_ids: narrowing.repositoryIds } : {}),
        ...(narrowing.repositories ? { repositories: narrowing.repositories } : {}),
        ...(narrowing.permissions ? { permissions: narrowing.permissions } : {}),
      });
      const body = installationToken.parse(data);
      return { token: body.token, expiresAt: new Date(body.expires_at), permissions: body.permissions ?? {} };
    } catch (error) {
      if (error instanceof RequestError) throw new GithubApiError("POST", `/app/installations/${id}/access_tokens`, error.status, typeof error.response?.data === "string" ? error.response.data : JSON.stringify(error.response?.data ?? error.message));
      throw error;
    }
  }

  private async mint(id: string): Promise<InstallationToken> {
    const body = await this.exchange(id, {});
    const token = { token: body.token, expiresAt: new Date(body.expires_at) };
    this.cache.set(id, token);
    return token;
  }

  private async exchange(id: string, narrowing: TokenNarrowing): Promise<z.infer<typeof installationToken>> {
    if (!/^\d+$/.test(id)) throw new GithubApiError("POST", `/app/installations/${id}/access_tokens`, 404, "not an installation id");
    try {
      const auth = await this.auth({
        type: "installation",
        installationId: Number(id),
        refresh: true,
        ...(narrowing.repositoryIds ? { repositoryIds: narrowing.repositoryIds } : {}),
        ...(narrowing.repositories ? { repositoryNames: narrowing.repositories } : {}),
        ...(narrowing.permissions ? { permissions: narrowing.permissions } : {}),
      });
      return installationToken.parse({ token: auth.token, expires_at: auth.expiresAt, permissions: auth.permissions });
    } catch (error) {
      if (error instanceof RequestError) throw new GithubApiError("POST", `/app/installations/${id}/access_tokens`, error.status, typeof error.response?.data === "string" ? error.response.data : JSON.stringify(error.response?.data ?? error.message));
      throw error;
    }
  }
}

/**
 * Revokes an installation token (DELETE /installation/token, authenticated by the token itself). A token GitHub no
 * longer knows (401: expired or already revoked) counts as revoked; anything else throws GithubApiError.
 */
export async function revokeInstallationToken(apiUrl: string, token: string, fetcher?: Fetch): Promise<void> {
  const octokit = githubOctokit({ apiUrl, auth: { token }, ...(fetcher ? { fetch: fetcher } : {}) });
  try {
    await octokit.request("DELETE /installation/token");
  } catch (error) {
    if (error instanceof GithubApiError && error.status === 401) return;
    throw error;
  }
}
