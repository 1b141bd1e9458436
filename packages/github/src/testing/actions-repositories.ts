// The fake GitHub's public action repositories: a directory of `owner/repo/ref/` release trees (the shared
// `actions/` folder, read in place, with its INDEX.tsv of tag → commit) served as GitHub serves a repository:
// `GET /repos/{o}/{r}/commits/{ref}` (the bare sha for `Accept: application/vnd.github.sha`, else the commit JSON;
// 422 for a ref that names no commit, 404 for an unknown repository), `GET /repos/{o}/{r}/tarball/{ref}` (302 to a
// codeload-like path on the fake, which answers the gzipped tar whose one top folder is `{owner}-{repo}-{short sha}/`).
// Public repositories: anonymous requests work, and so does any installation's token. Each API call counts against
// GitHub's core rate limit — per address when anonymous (60 an hour), per installation with a token — and answers
// the x-ratelimit-* headers; a spent limit is a 403 as GitHub sends it. Tests move refs, serve other bytes for a
// known commit (a tampered tarball) and count downloads.
import type { IncomingMessage, ServerResponse } from "node:http";
import { ActionsDirectory, type DirectoryAction } from "@gantry/sources";
import type { components } from "@octokit/openapi-types";

type BasicError = components["schemas"]["basic-error"];
/** The part of GitHub's commit object the fake serves for `GET /repos/{o}/{r}/commits/{ref}`. */
type CommitBody = Pick<components["schemas"]["commit"], "sha" | "url" | "html_url"> & { commit: { message: string; tree: { sha: string } } };

export interface ActionsRepositoriesOptions {
  /** Requests an hour without a token (GitHub: 60). */
  anonymousLimit?: number;
  /** Requests an hour per installation token (GitHub: 5000). */
  installationLimit?: number;
  now?: () => number;
}

/** Who a request counts against: the address (anonymous) or the installation whose token it carries. */
export type RateIdentity = "anonymous" | number;

const HOUR_MS = 3_600_000;

export class ActionsRepositories {
  private readonly directory: ActionsDirectory;
  /** `repo lower \0 ref` → the ref (a tag of the same repository) it now points at. */
  private readonly moved = new Map<string, string>();
  /** `repo lower \0 sha` → the bytes served instead of the real tarball. */
  private readonly tampered = new Map<string, Buffer>();
  private readonly buckets = new Map<string, { used: number; resetAt: number }>();
  /** Tarball downloads served, per `owner/repo@sha` (as the folders spell the repository). */
  readonly downloads = new Map<string, number>();
  private readonly options: Required<ActionsRepositoriesOptions>;

  constructor(
    readonly root: string,
    options: ActionsRepositoriesOptions = {},
  ) {
    this.directory = new ActionsDirectory(root);
    this.options = { anonymousLimit: options.anonymousLimit ?? 60, installationLimit: options.installationLimit ?? 5000, now: options.now ?? Date.now };
  }

  /** Points `ref` of the repository at the commit `toRef` (another tag of it) stands for: a moved tag or branch. */
  moveRef(repository: string, ref: string, toRef: string): void {
    this.moved.set(`${repository.toLowerCase()}\u0000${ref}`, toRef);
  }

  /** From now on, the tarball of `sha` is these bytes (GitHub re-generating, or someone tampering). */
  tamper(repository: string, sha: string, bytes: Buffer): void {
    this.tampered.set(`${repository.toLowerCase()}\u0000${sha}`, bytes);
  }

  /** Tarballs served in all, or for one repository (and commit). */
  downloadCount(repository?: string, sha?: string): number {
    let total = 0;
    for (const [key, count] of this.downloads) {
      const [repo, commit] = key.split("@");
      if ((repository === undefined || repo?.toLowerCase() === repository.toLowerCase()) && (sha === undefined || commit === sha)) total += count;
    }
    return total;
  }

  /** Spends the identity's limit for the current hour (the next API call is refused until the reset). */
  exhaust(identity: RateIdentity): void {
    const bucket = this.bucket(identity);
    bucket.used = this.limitOf(identity);
  }

  /** Gives every identity a fresh hour. */
  resetLimits(): void {
    this.buckets.clear();
  }

  /** When the identity's current window ends. */
  resetAt(identity: RateIdentity): Date {
    return new Date(this.bucket(identity).resetAt);
  }

  private limitOf(identity: RateIdentity): number {
    return identity === "anonymous" ? this.options.anonymousLimit : this.options.installationLimit;
  }

  private bucket(identity: RateIdentity) {
    const key = String(identity);
    const now = this.options.now();
    let bucket = this.buckets.get(key);
    if (!bucket || bucket.resetAt <= now) {
      // GitHub's reset is an epoch second.
      bucket = { used: 0, resetAt: Math.ceil((now + HOUR_MS) / 1000) * 1000 };
      this.buckets.set(key, bucket);
    }
    return bucket;
  }

  /** The paths this serves: the repositories' commits and tarballs, and the codeload-like downloads. */
  handles(pathname: string): boolean {
    if (/^\/_codeload\//.test(pathname)) return true;
    const match = /^\/repos\/([^/]+)\/([^/]+)\/(?:commits\/[^/]+(?:\/[^/]+)*|tarball\/.+)$/.exec(pathname);
    if (!match || /\/check-runs$/.test(pathname)) return false;
    return this.repositoryKnown(decodeURIComponent(match[1] ?? ""), decodeURIComponent(match[2] ?? ""));
  }

  private repositoryKnown(owner: string, repo: string): boolean {
    return this.directory.repositoryFolder(owner, repo) !== null;
  }

  private lookup(repository: string, ref: string): DirectoryAction | null {
    const target = this.moved.get(`${repository.toLowerCase()}\u0000${ref}`) ?? ref;
    return this.directory.resolve(repository, target);
  }

  /**
   * Answers a request `handles` accepted and returns the status sent. `identity` is who the request counts against
   * (null: it carried a token the fake does not know, answered 401 as GitHub does).
   */
  handle(request: IncomingMessage, url: URL, response: ServerResponse, identity: RateIdentity | null, baseUrl: string): number {
    const codeload = /^\/_codeload\/([^/]+)\/([^/]+)\/legacy\.tar\.gz\/([0-9a-f]{40})$/.exec(url.pathname);
    if (codeload) return this.sendTarball(response, `${decodeURIComponent(codeload[1] ?? "")}/${decodeURIComponent(codeload[2] ?? "")}`, codeload[3] ?? "");
    if (identity === null) return this.error(response, 401, "Bad credentials", {});
    if (!request.headers["user-agent"]) return this.error(response, 403, "Request forbidden by administrative rules. Please make sure your request has a User-Agent header", {});

    const bucket = this.bucket(identity);
    const limit = this.limitOf(identity);
    const headers = (used: number) => ({
      "x-ratelimit-limit": String(limit),
      "x-ratelimit-remaining": String(Math.max(0, limit - used)),
      "x-ratelimit-reset": String(Math.floor(bucket.resetAt / 1000)),
      "x-ratelimit-used": String(used),
      "x-ratelimit-resource": "core",
    });
    if (bucket.used >= limit) {
      const who = identity === "anonymous" ? `${request.socket.remoteAddress ?? "127.0.0.1"}. (But here's the good news: Authenticated requests get a higher rate limit. Check out the documentation for more details.)` : `installation ID ${identity}.`;
      return this.error(response, 403, `API rate limit exceeded for ${who}`, headers(bucket.used));
    }
    bucket.used += 1;
    const rate = headers(bucket.used);

    const match = /^\/repos\/([^/]+)\/([^/]+)\/(commits|tarball)\/(.+)$/.exec(url.pathname);
    const owner = decodeURIComponent(match?.[1] ?? "");
    const repo = decodeURIComponent(match?.[2] ?? "");
    const ref = (match?.[4] ?? "").split("/").map(decodeURIComponent).join("/");
    const found = this.lookup(`${owner}/${repo}`, ref);
    if (match?.[3] === "commits") {
      if (!found) return this.error(response, 422, `No commit found for SHA: ${ref}`, rate);
      if (String(request.headers.accept ?? "").includes("application/vnd.github.sha")) {
        response.writeHead(200, { "content-type": "application/vnd.github.sha; charset=utf-8", ...rate });
        response.end(found.sha);
        return 200;
      }
      const api = `${baseUrl}/repos/${found.repository}`;
      const body: CommitBody = { sha: found.sha, url: `${api}/commits/${found.sha}`, html_url: `https://github.com/${found.repository}/commit/${found.sha}`, commit: { message: `release ${ref}`, tree: { sha: found.sha } } };
      response.writeHead(200, { "content-type": "application/json; charset=utf-8", ...rate });
      response.end(JSON.stringify(body));
      return 200;
    }
    if (!found) return this.error(response, 404, "Not Found", rate);
    // GitHub redirects to codeload, which serves the bytes (and keeps no rate limit).
    response.writeHead(302, { location: `${baseUrl}/_codeload/${found.repository}/legacy.tar.gz/${found.sha}`, ...rate });
    response.end();
    return 302;
  }

  private sendTarball(response: ServerResponse, repository: string, sha: string): number {
    const found = this.directory.byCommit(repository, sha);
    if (!found) return this.error(response, 404, "Not Found", {});
    const bytes = this.tampered.get(`${repository.toLowerCase()}\u0000${sha}`) ?? this.directory.tarball(found);
    const key = `${found.repository}@${sha}`;
    this.downloads.set(key, (this.downloads.get(key) ?? 0) + 1);
    response.writeHead(200, { "content-type": "application/x-gzip", "content-length": String(bytes.length), "content-disposition": `attachment; filename=${found.repository.replace("/", "-")}-${sha.slice(0, 7)}.tar.gz` });
    response.end(bytes);
    return 200;
  }

  private error(response: ServerResponse, status: number, message: string, headers: Record<string, string>): number {
    const body: BasicError = { message, documentation_url: "https://docs.github.com/rest" };
    response.writeHead(status, { "content-type": "application/json; charset=utf-8", ...headers });
    response.end(JSON.stringify(body));
    return status;
  }
}
