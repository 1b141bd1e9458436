// The one REST client every GitHub call here goes through: @octokit/core with the retry (5xx, backoff), throttling
// (429 and rate-limit 403s: waits what GitHub asks — Retry-After or the rate-limit reset — then tries again, a
// bounded number of times) and paginate-rest (every page, following Link headers) plugins. GitHub's required headers
// and a 15 s timeout per request are set here. Octokit's RequestError is translated at this boundary into
// GithubApiError, which callers (intake's retry-or-fail decision, the report-check job's rate limiting) catch.
import { Octokit } from "@octokit/core";
import { paginateRest } from "@octokit/plugin-paginate-rest";
import { retry } from "@octokit/plugin-retry";
import { throttling } from "@octokit/plugin-throttling";
import { RequestError } from "@octokit/request-error";
import Bottleneck from "bottleneck";
import type { z } from "zod";
import { GithubApiError, GITHUB_API_VERSION, type Fetch } from "./http";
import type { InstallationTokens } from "./installation-tokens";

export const REQUEST_TIMEOUT_MS = 15_000;

export interface RetryOptions {
  /** Tries in all, the first included (default 4), for 5xx answers and rate limits alike. */
  attempts?: number;
  /** plugin-retry's base for 5xx: the n-th retry waits base × n² (default 1 s). */
  baseMs?: number;
  /** The longest rate-limit wait taken in place (default 60 s); a longer one is thrown (GithubApiError.retryAfterMs). */
  maxMs?: number;
  /** How long one second of Retry-After or rate-limit reset lasts (default 1000; tests shrink time with it). */
  secondMs?: number;
}

/** Who the requests are made as. */
export type GithubAuth =
  /** An installation token from the cache; a 401 makes the cache forget it (revoked, installation suspended). */
  | { tokens: InstallationTokens; installationId: number | bigint | string }
  /** A token as is (`token <t>`): an installation token, a job's narrowed token, or a user-to-server token. */
  | { token: string | (() => Promise<string>) }
  /** The App itself (`Bearer <jwt>`), for /app/… calls. */
  | { jwt: () => string }
  /** No authentication (the manifest conversion: its code is the credential). */
  | null;

export interface GithubOctokitOptions {
  apiUrl: string;
  auth: GithubAuth;
  fetch?: Fetch;
  retry?: RetryOptions;
}

// A 429 that names no limit (no "secondary rate" text, no spent x-ratelimit-remaining) is still GitHub asking us to
// slow down: marked so that the throttling plugin honours its Retry-After. First plugin, so innermost.
function unnamedTooManyRequests(octokit: Octokit): void {
  octokit.hook.error("request", (error) => {
    if (error instanceof RequestError && error.status === 429 && !/\bsecondary rate\b/i.test(error.message) && error.response?.headers["x-ratelimit-remaining"] !== "0") {
      error.message = `${error.message} (secondary rate limit)`;
    }
    throw error;
  });
}

const GantryOctokit = Octokit.plugin(unnamedTooManyRequests, paginateRest, retry, throttling);
export type GithubOctokit = InstanceType<typeof GantryOctokit>;

// Writes of one client go one at a time (GitHub's advice against secondary rate limits), without the plugin's
// default extra second between them: check-run reports would queue behind each other for nothing.
const writes = new Bottleneck.Group({ maxConcurrent: 1, minTime: 0 });
let clients = 0;

/** Retry-After (seconds), or x-ratelimit-reset (epoch seconds) when x-ratelimit-remaining is 0. */
function waitFrom(headers: Record<string, string | number | undefined>, now: number = Date.now()): number | undefined {
  const retryAfter = Number(headers["retry-after"]);
  if (headers["retry-after"] !== undefined && Number.isFinite(retryAfter)) return Math.max(0, retryAfter * 1000);
  const reset = Number(headers["x-ratelimit-reset"]);
  if (String(headers["x-ratelimit-remaining"]) === "0" && Number.isFinite(reset)) return Math.max(0, reset * 1000 - now);
  return undefined;
}

/** A RequestError as the GithubApiError callers catch, named by method and path (relative to the API URL). */
export function toGithubApiError(error: RequestError, apiUrl: string): GithubApiError {
  const url = error.request.url.startsWith(apiUrl) ? error.request.url.slice(apiUrl.length) : error.request.url;
  const data = error.response?.data;
  const body = data === undefined || data === "" ? error.message : typeof data === "string" ? data : JSON.stringify(data);
  return new GithubApiError(error.request.method, url, error.status, body, error.response ? waitFrom(error.response.headers) : undefined);
}

export function githubOctokit(options: GithubOctokitOptions): GithubOctokit {
  const attempts = Math.max(1, options.retry?.attempts ?? 4);
  const maxMs = options.retry?.maxMs ?? 60_000;
  const secondMs = options.retry?.secondMs ?? 1_000;
  const fetcher = options.fetch ?? fetch;
  // Rate limits are waited for only while tries remain and the wait is one we are willing to take here.
  const onLimit = (retryAfter: number, _request: unknown, _octokit: unknown, retryCount: number): boolean => retryCount < attempts - 1 && retryAfter * 1000 <= maxMs;
  const auth = options.auth;
  const octokit = new GantryOctokit({
    baseUrl: options.apiUrl,
    userAgent: "gantry-ci",
    headers: { accept: "application/vnd.github+json", "x-github-api-version": GITHUB_API_VERSION },
    request: {
      fetch: (url: string | URL | Request, init?: RequestInit) => {
        const timeout = AbortSignal.timeout(REQUEST_TIMEOUT_MS);
        return fetcher(url, { ...init, signal: init?.signal ? AbortSignal.any([init.signal, timeout]) : timeout });
      },
    },
    // 429 and 403 are the throttling plugin's (it reads Retry-After and the rate-limit reset); 5xx plugin-retry's.
    retry: { retries: attempts - 1, retryAfterBaseValue: options.retry?.baseMs ?? 1_000, doNotRetry: [400, 401, 403, 404, 410, 422, 429, 451] },
    throttle: {
      id: auth && "installationId" in auth ? `installation-${String(auth.installationId)}` : `client-${++clients}`,
      retryAfterBaseValue: secondMs,
      write: writes,
      notifications: writes,
      onRateLimit: onLimit,
      onSecondaryRateLimit: onLimit,
    },
    log: { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined },
  });
  // Registered after the plugins, so these run once per call, outside retries: authentication, and the error callers see.
  octokit.hook.wrap("request", async (request, requestOptions) => {
    if (auth) {
      const authorization = "jwt" in auth ? `bearer ${auth.jwt()}` : "tokens" in auth ? `token ${(await auth.tokens.get(auth.installationId)).token}` : `token ${typeof auth.token === "string" ? auth.token : await auth.token()}`;
      requestOptions.headers = { ...requestOptions.headers, authorization };
    }
    try {
      return await request(requestOptions);
    } catch (error) {
      if (!(error instanceof RequestError)) throw error;
      if (error.status === 401 && auth && "tokens" in auth) auth.tokens.forget(auth.installationId);
      throw toGithubApiError(error, options.apiUrl);
    }
  });
  return octokit;
}

function shapeError(method: string, path: string, error: z.ZodError): GithubApiError {
  const issues = error.issues.map((issue) => `${issue.path.join(".")}: ${issue.message}`).join("; ");
  return new GithubApiError(method, path, 200, `unexpected response shape: ${issues}`);
}

/**
 * One call, its JSON body validated. `path` is already encoded (no `{placeholders}`); `parameters` become the query
 * of a GET and the JSON body of anything else.
 */
export async function githubCall<T>(octokit: GithubOctokit, method: "GET" | "POST" | "PATCH", path: string, schema: z.ZodType<T>, parameters: Record<string, unknown> = {}): Promise<T> {
  const { data } = await octokit.request(`${method} ${path}`, parameters);
  const parsed = schema.safeParse(data);
  if (!parsed.success) throw shapeError(method, path, parsed.error);
  return parsed.data;
}

/** Every item of a listing, every page (plugin-paginate-rest: Link headers, `{ total_count, <items> }` unwrapped). */
export async function githubList<T>(octokit: GithubOctokit, path: string, item: z.ZodType<T>, parameters: Record<string, unknown> = {}): Promise<T[]> {
  const items: unknown[] = await octokit.paginate(`GET ${path}`, { per_page: 100, ...parameters });
  return items.map((value) => {
    const parsed = item.safeParse(value);
    if (!parsed.success) throw shapeError("GET", path, parsed.error);
    return parsed.data;
  });
}

/** How a repository reader reaches GitHub: a token as is, or any GithubAuth (e.g. the installation-token cache). */
export type RepositoryAccess = { token: string; auth?: never } | { auth: GithubAuth; token?: never };

export type RepositoryClientOptions = RepositoryAccess & {
  apiUrl: string;
  /** `owner/name` */
  repository: string;
  fetch?: Fetch;
  retry?: RetryOptions;
};

/** The client of a repository reader (RepositoryLister, ContentsReader, commitOfRef, readPullRequest). */
export function repositoryOctokit(options: RepositoryClientOptions): GithubOctokit {
  return githubOctokit({
    apiUrl: options.apiUrl,
    auth: options.auth !== undefined ? options.auth : { token: options.token },
    ...(options.fetch ? { fetch: options.fetch } : {}),
    ...(options.retry ? { retry: options.retry } : {}),
  });
}

/** `/repos/{owner}/{repo}` of an `owner/name`, encoded. */
export function repoPath(repository: string): string {
  const [owner, name] = repository.split("/");
  return `/repos/${encodeURIComponent(owner ?? "")}/${encodeURIComponent(name ?? "")}`;
}
