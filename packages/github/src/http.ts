// One small REST caller for api.github.com (or a GHES / test base URL): GitHub's required headers, JSON in
// and out, every response body validated with zod by the caller, errors that name the request.
import type { z } from "zod";

export const GITHUB_API_VERSION = "2022-11-28";
const USER_AGENT = "gantry-ci";

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

export interface GithubRequest<T> {
  method: "GET" | "POST" | "PATCH";
  path: string;
  /** `Bearer <jwt>` for app calls, `token <installation token>` for repository calls; "" for none. */
  authorization: string;
  body?: unknown;
  schema: z.ZodType<T>;
}

export type Fetch = typeof fetch;

/** Retry-After (seconds), or x-ratelimit-reset (epoch seconds) when x-ratelimit-remaining is 0. */
function waitFrom(headers: Headers, now: number = Date.now()): number | undefined {
  const retryAfter = Number(headers.get("retry-after"));
  if (headers.has("retry-after") && Number.isFinite(retryAfter)) return Math.max(0, retryAfter * 1000);
  const reset = Number(headers.get("x-ratelimit-reset"));
  if (headers.get("x-ratelimit-remaining") === "0" && Number.isFinite(reset)) return Math.max(0, reset * 1000 - now);
  return undefined;
}

export async function githubRequest<T>(baseUrl: string, request: GithubRequest<T>, fetcher: Fetch = fetch): Promise<T> {
  const response = await fetcher(`${baseUrl}${request.path}`, {
    method: request.method,
    headers: {
      accept: "application/vnd.github+json",
      ...(request.authorization ? { authorization: request.authorization } : {}),
      "user-agent": USER_AGENT,
      "x-github-api-version": GITHUB_API_VERSION,
      ...(request.body === undefined ? {} : { "content-type": "application/json" }),
    },
    ...(request.body === undefined ? {} : { body: JSON.stringify(request.body) }),
    signal: AbortSignal.timeout(15_000),
  });
  const text = await response.text();
  if (!response.ok) throw new GithubApiError(request.method, request.path, response.status, text, waitFrom(response.headers));
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new GithubApiError(request.method, request.path, response.status, `not JSON: ${text}`);
  }
  const parsed = request.schema.safeParse(json);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((issue) => `${issue.path.join(".")}: ${issue.message}`).join("; ");
    throw new GithubApiError(request.method, request.path, response.status, `unexpected response shape: ${issues}`);
  }
  return parsed.data;
}

/** The `rel="next"` URL of a Link header, or null on the last page. */
export function nextPageUrl(link: string | null): string | null {
  if (!link) return null;
  for (const part of link.split(",")) {
    const match = /<([^>]+)>\s*;\s*rel="next"/.exec(part);
    if (match?.[1]) return match[1];
  }
  return null;
}

/** Every page of a listing of items: follows GitHub's Link `rel="next"` (same origin only) up to `maxPages` pages. */
export async function githubPaginate<T>(baseUrl: string, request: Omit<GithubRequest<T[]>, "method" | "body"> & { maxPages?: number }, fetcher: Fetch = fetch): Promise<T[]> {
  return (await githubPages(baseUrl, request, fetcher)).flat();
}

/** Every page's body (for listings wrapped in an object, such as `{ total_count, installations }`). */
export async function githubPages<P>(baseUrl: string, request: Omit<GithubRequest<P>, "method" | "body"> & { maxPages?: number }, fetcher: Fetch = fetch): Promise<P[]> {
  const items: P[] = [];
  const origin = new URL(baseUrl).origin;
  let url: string | null = `${baseUrl}${request.path}`;
  for (let page = 0; url && page < (request.maxPages ?? 100); page++) {
    const pageUrl: string = url;
    const response = await fetcher(pageUrl, {
      headers: { accept: "application/vnd.github+json", ...(request.authorization ? { authorization: request.authorization } : {}), "user-agent": USER_AGENT, "x-github-api-version": GITHUB_API_VERSION },
      signal: AbortSignal.timeout(15_000),
    });
    const text = await response.text();
    if (!response.ok) throw new GithubApiError("GET", request.path, response.status, text, waitFrom(response.headers));
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      throw new GithubApiError("GET", request.path, response.status, `not JSON: ${text}`);
    }
    const parsed = request.schema.safeParse(json);
    if (!parsed.success) throw new GithubApiError("GET", request.path, response.status, `unexpected response shape: ${parsed.error.issues.map((issue) => `${issue.path.join(".")}: ${issue.message}`).join("; ")}`);
    items.push(parsed.data);
    const next = nextPageUrl(response.headers.get("link"));
    url = next && new URL(next).origin === origin ? next : null;
  }
  return items;
}
