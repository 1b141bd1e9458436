// What every GitHub call here shares: the API version header, the error callers catch, and the fetch type tests
// inject (the client itself is octokit.ts).
export const GITHUB_API_VERSION = "2022-11-28";

export class GithubApiError extends Error {
  override name = "GithubApiError";
  constructor(
    readonly method: string,
    readonly path: string,
    readonly status: number,
    readonly body: string,
    /** How long GitHub asked us to wait (Retry-After, or until x-ratelimit-reset when the limit is spent). */
    readonly retryAfterMs?: number,
  ) {
    super(`GitHub ${method} ${path} answered ${status}: ${body.slice(0, 300)}`);
  }
  /** 5xx, 429 and rate-limit 403s are worth retrying; 401/404/422 are not. */
  get retryable(): boolean {
    return this.status >= 500 || this.status === 429 || (this.status === 403 && (/rate limit/i.test(this.body) || this.retryAfterMs !== undefined));
  }
}

export type Fetch = typeof fetch;
