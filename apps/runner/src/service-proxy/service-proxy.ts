// The one door from a job's sandbox to the outside that every egress policy leaves open: an HTTP proxy on a unix
// socket of the job's own (mode 0600, in a directory only the runner can list, removed at the end). It forwards
//   - `${ACTIONS_SERVICE_PATH}…` (the cache and artifact services the actions toolkit calls) to the control plane,
//     only with `Authorization: Bearer <this job's runtime token>`, adding SERVICE_BASE_HEADER so the services
//     hand out URLs the sandbox can reach (the proxy's own base as the sandbox sees it) — or, with no Authorization
//     at all, a signed URL those services handed out (`sig` in the query: the toolkit's blob clients send no token;
//     the control plane checks the signature);
//   - `/github-api/…` to the run's GitHub API (the prefix stripped), only with this job's GITHUB_TOKEN
//     (`token X` or `Bearer X`), for `github-script`, `gh` and friends;
// and answers everything else 403 with a one-line reason. Bodies stream both ways (cache archives are large);
// redirects are passed back, never followed; no CONNECT, no upgrades, no absolute-form targets, no dot segments.
import { randomBytes, timingSafeEqual } from "node:crypto";
import { chmodSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import http, { type IncomingHttpHeaders, type IncomingMessage, type OutgoingHttpHeaders, type ServerResponse } from "node:http";
import https from "node:https";
import os from "node:os";
import path from "node:path";
import { pipeline } from "node:stream";
import { ACTIONS_SERVICE_PATH, SERVICE_BASE_HEADER } from "@gantry/runner-protocol";

/** Where a request goes once it passed its route's token check. */
interface Route {
  name: string;
  /** The upstream URL (origin and base path) the rest of the path is appended to. */
  base: URL;
  /** The part of the incoming path that is replaced by `base`'s path. */
  strip: string;
  /** Adds SERVICE_BASE_HEADER. */
  serviceBase: boolean;
  authorized: (authorization: string | undefined, query: URLSearchParams) => boolean;
}

export interface ServiceProxyOptions {
  /** The control plane as the runner reaches it (GANTRY_URL). */
  controlPlaneUrl: string;
  /** The job's ACTIONS_RUNTIME_TOKEN: without it, no service route. */
  runtimeToken?: string | undefined;
  /** The run's GitHub API (GITHUB_API_URL) and the job's GITHUB_TOKEN: without both, no GitHub route. */
  githubApiUrl?: string | undefined;
  githubToken?: string | undefined | null;
  /** Folder the job's socket folder is made in (default: the OS temp folder, as for the sandboxes' own folders). */
  parentDir?: string;
  /** Largest request head accepted (431 past it). */
  maxHeaderBytes?: number;
}

export interface ServiceProxy {
  /** The unix socket (SandboxSpec.serviceSocket). */
  readonly socketPath: string;
  /** The proxy's base as processes inside the sandbox reach it (Sandbox.serviceUrl), sent as SERVICE_BASE_HEADER. */
  setServiceBase(url: string | undefined): void;
  /** Stops listening, ends open connections and removes the socket and its folder. Idempotent. */
  close(): Promise<void>;
}

export const GITHUB_API_PREFIX = "/github-api/";
const DEFAULT_MAX_HEADER_BYTES = 16 * 1024;
/** Request headers never passed on: hop-by-hop ones, and what would let a job speak for the runner or the proxy. */
const DROPPED_REQUEST_HEADERS = new Set(["connection", "keep-alive", "proxy-connection", "proxy-authorization", "te", "trailer", "upgrade", "host", "forwarded", "x-forwarded-for", "x-forwarded-host", "x-forwarded-proto", "x-real-ip", SERVICE_BASE_HEADER]);
const DROPPED_RESPONSE_HEADERS = new Set(["connection", "keep-alive", "proxy-connection", "te", "trailer", "upgrade", "transfer-encoding"]);

function sameSecret(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** Bearer/token credentials of `authorization` equal to `secret`, with the schemes allowed. */
function carries(authorization: string | undefined, secret: string, schemes: readonly string[]): boolean {
  const match = /^([A-Za-z]+) +(\S+)$/.exec(authorization?.trim() ?? "");
  return match !== null && schemes.includes((match[1] ?? "").toLowerCase()) && sameSecret(match[2] ?? "", secret);
}

/**
 * The request's path and query when it is plain origin-form without anything an upstream might resolve
 * differently from the prefix check (`..`, `.`, encoded dots, slashes or backslashes, empty segments), else why not.
 */
export function safeTarget(target: string | undefined): { path: string } | { error: string } {
  if (!target?.startsWith("/")) return { error: "only origin-form request targets (/path)" };
  const query = target.indexOf("?");
  const pathname = query === -1 ? target : target.slice(0, query);
  if (!/^[A-Za-z0-9\-._~!$&'()*+,;=:@/%]*$/.test(pathname)) return { error: "the path has characters outside RFC 3986" };
  if (/%(2e|2f|5c|00)/i.test(pathname)) return { error: "encoded dots, slashes and NULs are refused in the path" };
  if (pathname.split("/").slice(1).some((segment, index, all) => segment === "." || segment === ".." || (segment === "" && index < all.length - 1))) return { error: "dot or empty segments are refused in the path" };
  return { path: target };
}

function upstreamHeaders(incoming: IncomingHttpHeaders, base: URL, serviceBase: string | undefined): OutgoingHttpHeaders {
  const headers: OutgoingHttpHeaders = {};
  const connectionListed = new Set(String(incoming.connection ?? "").toLowerCase().split(",").map((h) => h.trim()));
  for (const [name, value] of Object.entries(incoming)) {
    if (value === undefined || DROPPED_REQUEST_HEADERS.has(name) || connectionListed.has(name)) continue;
    headers[name] = value;
  }
  headers.host = base.host;
  if (serviceBase !== undefined) headers[SERVICE_BASE_HEADER] = serviceBase;
  return headers;
}

function refuse(res: ServerResponse, status: number, reason: string): void {
  if (res.headersSent) return void res.destroy();
  const body = `gantry service proxy: ${reason}\n`;
  res.writeHead(status, { "content-type": "text/plain; charset=utf-8", "content-length": Buffer.byteLength(body), connection: "close" });
  res.end(body);
}

function routes(options: ServiceProxyOptions): Route[] {
  const list: Route[] = [];
  const { runtimeToken, githubToken, githubApiUrl } = options;
  if (runtimeToken) {
    // Relative to the control plane's URL, so one served under a base path keeps it.
    const root = options.controlPlaneUrl.endsWith("/") ? options.controlPlaneUrl : `${options.controlPlaneUrl}/`;
    const base = new URL(ACTIONS_SERVICE_PATH.slice(1), root);
    const signed = (auth: string | undefined, query: URLSearchParams) => auth === undefined && (query.get("sig") ?? "") !== "";
    list.push({ name: "the actions services", base, strip: ACTIONS_SERVICE_PATH, serviceBase: true, authorized: (auth, query) => carries(auth, runtimeToken, ["bearer"]) || signed(auth, query) });
  }
  if (githubToken && githubApiUrl) {
    const base = new URL(githubApiUrl.endsWith("/") ? githubApiUrl : `${githubApiUrl}/`);
    list.push({ name: "the GitHub API", base, strip: GITHUB_API_PREFIX, serviceBase: false, authorized: (auth) => carries(auth, githubToken, ["token", "bearer"]) });
  }
  return list;
}

export async function startServiceProxy(options: ServiceProxyOptions): Promise<ServiceProxy> {
  const table = routes(options);
  let serviceBase: string | undefined;
  // Made 0700 so nobody reaches the socket before its own mode is set; opened to traversal (not listing) after,
  // for sandboxes that run as a uid of their own (the provider hands the socket itself to that uid).
  const parent = options.parentDir ?? os.tmpdir();
  mkdirSync(parent, { recursive: true });
  const dir = mkdtempSync(path.join(parent, "gantry-svc-"));
  chmodSync(dir, 0o700);
  const socketPath = path.join(dir, `${randomBytes(6).toString("hex")}.sock`);

  const handle = (req: IncomingMessage, res: ServerResponse) => {
    const target = safeTarget(req.url);
    if ("error" in target) return refuse(res, 403, target.error);
    const route = table.find((candidate) => target.path.startsWith(candidate.strip));
    if (!route) return refuse(res, 403, `only ${ACTIONS_SERVICE_PATH}… (with the job's runtime token) and ${GITHUB_API_PREFIX}… (with the job's GITHUB_TOKEN) are served, and only those this job has`);
    const query = new URLSearchParams(target.path.includes("?") ? target.path.slice(target.path.indexOf("?") + 1) : "");
    if (!route.authorized(req.headers.authorization, query)) return refuse(res, 403, `${route.name} need this job's token in Authorization`);
    const url = new URL(route.base.pathname + target.path.slice(route.strip.length), route.base.origin);
    const client = url.protocol === "https:" ? https : http;
    const upstream = client.request(url, { method: req.method, headers: upstreamHeaders(req.headers, url, route.serviceBase ? serviceBase : undefined) }, (answer) => {
      const headers: OutgoingHttpHeaders = {};
      for (const [name, value] of Object.entries(answer.headers)) if (value !== undefined && !DROPPED_RESPONSE_HEADERS.has(name)) headers[name] = value;
      res.writeHead(answer.statusCode ?? 502, answer.statusMessage, headers);
      pipeline(answer, res, () => undefined);
    });
    upstream.on("error", (error) => refuse(res, 502, `${route.name} did not answer (${error.message})`));
    // A client that goes away aborts the upstream request too (and its half-sent upload).
    res.on("close", () => {
      if (!res.writableFinished) upstream.destroy();
    });
    pipeline(req, upstream, () => undefined);
  };

  const server = http.createServer({ maxHeaderSize: options.maxHeaderBytes ?? DEFAULT_MAX_HEADER_BYTES, requestTimeout: 0, headersTimeout: 30_000 }, handle);
  // Without 'connect' and 'upgrade' listeners Node closes such connections: no tunnels through the proxy. Without a
  // 'clientError' listener it answers a bad or oversized head 400/431 and closes.
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(socketPath, () => {
      server.off("error", reject);
      resolve();
    });
  });
  chmodSync(socketPath, 0o600);
  chmodSync(dir, 0o711);
  let closed: Promise<void> | undefined;
  return {
    socketPath,
    setServiceBase: (url) => {
      serviceBase = url?.replace(/\/+$/, "");
    },
    close: () => {
      closed ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }).finally(() => rmSync(dir, { recursive: true, force: true }));
      return closed;
    },
  };
}
