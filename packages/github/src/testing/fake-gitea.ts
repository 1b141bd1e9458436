// A tiny stand-in for a Gitea/Forgejo mirror of actions, speaking its API v1 for what Gantry's mirror source calls:
// `GET /api/v1/repos/{o}/{r}/commits?sha={ref}&limit=1` (a JSON list with the ref's newest commit),
// `GET /api/v1/repos/{o}/{r}/git/commits/{sha}` and `GET /api/v1/repos/{o}/{r}/archive/{sha}.tar.gz` (Gitea's
// archive: a gzipped tar whose one top folder is the repository's name). Serves a directory of `owner/repo/ref/`
// folders in place, as the fake GitHub does, and counts what it serves.
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { ActionsDirectory, readTree, tarballOf } from "@gantry/sources";

export class FakeGitea {
  private readonly directory: ActionsDirectory;
  private server: Server | null = null;
  url = "";
  /** Every request's method and path with its query. */
  readonly calls: string[] = [];
  /** Archives served, per `owner/repo@sha`. */
  readonly downloads = new Map<string, number>();

  constructor(readonly root: string) {
    this.directory = new ActionsDirectory(root);
  }

  async start(): Promise<string> {
    this.server = createServer((request, response) => {
      const url = new URL(request.url ?? "/", "http://fake-gitea");
      this.calls.push(`${request.method ?? "GET"} ${url.pathname}${url.search}`);
      const json = (status: number, body: unknown) => {
        response.writeHead(status, { "content-type": "application/json;charset=utf-8" });
        response.end(JSON.stringify(body));
      };
      const match = /^\/api\/v1\/repos\/([^/]+)\/([^/]+)\/(commits|git\/commits\/([0-9a-f]{40})|archive\/([0-9a-f]{40})\.tar\.gz)$/.exec(url.pathname);
      if (!match || request.method !== "GET") return json(404, { message: "The target couldn't be found.", url: `${this.url}/api/swagger` });
      const repository = `${decodeURIComponent(match[1] ?? "")}/${decodeURIComponent(match[2] ?? "")}`;
      const commit = (sha: string) => ({ url: `${this.url}/api/v1/repos/${repository}/git/commits/${sha}`, sha, created: "2026-01-01T00:00:00Z", html_url: `${this.url}/${repository}/commit/${sha}`, commit: { message: "release" }, parents: [] });
      if (match[3] === "commits") {
        const found = this.directory.resolve(repository, url.searchParams.get("sha") ?? "");
        return found ? json(200, [commit(found.sha)]) : json(404, { message: `object does not exist [id: ${url.searchParams.get("sha") ?? ""}, rel_path: ]` });
      }
      if (match[4]) {
        const found = this.directory.byCommit(repository, match[4]);
        return found ? json(200, commit(found.sha)) : json(404, { message: `object does not exist [id: ${match[4]}, rel_path: ]` });
      }
      const sha = match[5] ?? "";
      const found = this.directory.byCommit(repository, sha);
      if (!found) return json(404, { message: "The target couldn't be found." });
      const bytes = tarballOf(readTree(found.folder), found.repository.split("/")[1] ?? "repo");
      const key = `${found.repository}@${sha}`;
      this.downloads.set(key, (this.downloads.get(key) ?? 0) + 1);
      response.writeHead(200, { "content-type": "application/octet-stream", "content-length": String(bytes.length) });
      response.end(bytes);
    });
    await new Promise<void>((resolve) => this.server?.listen(0, "127.0.0.1", resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this.url;
  }

  async stop(): Promise<void> {
    const server = this.server;
    this.server = null;
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}
