// Installation access tokens: minted with the App's JWT (POST /app/installations/{id}/access_tokens), valid an
// hour, cached per installation until five minutes before they expire. Concurrent callers share one request.
import type { KeyObject } from "node:crypto";
import { z } from "zod";
import { githubRequest, type Fetch } from "./http";
import { signAppJwt } from "./jwt";

export const TOKEN_REFRESH_MARGIN_MS = 5 * 60_000;

const installationToken = z.object({ token: z.string().min(1), expires_at: z.iso.datetime({ offset: true }) });

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
  private readonly now: () => number;

  constructor(private readonly options: InstallationTokensOptions) {
    this.now = options.now ?? Date.now;
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

  /** Forget a token GitHub refused (revoked, installation suspended) so the next call mints a new one. */
  forget(installationId: number | bigint | string): void {
    this.cache.delete(String(installationId));
  }

  /** Forget every cached token (a repository call answered 401: the token was revoked). */
  clear(): void {
    this.cache.clear();
  }

  private async mint(id: string): Promise<InstallationToken> {
    const jwt = signAppJwt(this.options.appId, this.options.privateKey, this.now());
    const body = await githubRequest(
      this.options.apiUrl,
      { method: "POST", path: `/app/installations/${encodeURIComponent(id)}/access_tokens`, authorization: `Bearer ${jwt}`, schema: installationToken },
      this.options.fetch,
    );
    const token = { token: body.token, expiresAt: new Date(body.expires_at) };
    this.cache.set(id, token);
    return token;
  }
}
