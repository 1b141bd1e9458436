// Git's smart HTTP protocol for the fake GitHub, served by `git http-backend` (git's own CGI program) over a bare
// repository on disk: what `git clone https://github.com/owner/repo.git` speaks, byte for byte.
import { spawn } from "node:child_process";
import path from "node:path";
import type { IncomingMessage, ServerResponse } from "node:http";

export interface GitHttpRequest {
  /** The bare repository's directory. */
  bareDir: string;
  /** `/info/refs`, `/git-upload-pack` or `/git-receive-pack`. */
  service: string;
  query: string;
  /** Who the request authenticated as (http-backend wants REMOTE_USER set for receive-pack). */
  user: string;
}

/** Runs `git http-backend` for one request, streaming the body in and the CGI answer out. Resolves with the status. */
export function serveGitHttpBackend(request: IncomingMessage, response: ServerResponse, git: GitHttpRequest): Promise<number> {
  return new Promise((resolve) => {
    const env: NodeJS.ProcessEnv = {
      NODE_ENV: process.env.NODE_ENV,
      PATH: process.env.PATH ?? "/usr/bin:/bin",
      GIT_PROJECT_ROOT: path.dirname(git.bareDir),
      GIT_HTTP_EXPORT_ALL: "1",
      PATH_INFO: `/${path.basename(git.bareDir)}${git.service}`,
      REQUEST_METHOD: request.method ?? "GET",
      QUERY_STRING: git.query,
      CONTENT_TYPE: String(request.headers["content-type"] ?? ""),
      REMOTE_USER: git.user,
      REMOTE_ADDR: "127.0.0.1",
      GIT_CONFIG_NOSYSTEM: "1",
      GIT_CONFIG_GLOBAL: "/dev/null",
      // Pushing over HTTP is off by default unless REMOTE_USER is set; say it plainly, and trust the test's bare repos.
      GIT_CONFIG_COUNT: "2",
      GIT_CONFIG_KEY_0: "http.receivepack",
      GIT_CONFIG_VALUE_0: "true",
      GIT_CONFIG_KEY_1: "safe.directory",
      GIT_CONFIG_VALUE_1: "*",
    };
    const encoding = request.headers["content-encoding"];
    if (typeof encoding === "string") env.HTTP_CONTENT_ENCODING = encoding;
    const protocol = request.headers["git-protocol"];
    if (typeof protocol === "string") env.GIT_PROTOCOL = protocol;
    const child = spawn("git", ["http-backend"], { env, stdio: ["pipe", "pipe", "pipe"] });
    request.pipe(child.stdin);
    let head = Buffer.alloc(0);
    let headersDone = false;
    let status = 200;
    child.stdout.on("data", (chunk: Buffer) => {
      if (headersDone) {
        response.write(chunk);
        return;
      }
      head = Buffer.concat([head, chunk]);
      const crlf = head.indexOf("\r\n\r\n");
      const lf = head.indexOf("\n\n");
      const end = crlf >= 0 && (lf < 0 || crlf < lf) ? { at: crlf, length: 4 } : lf >= 0 ? { at: lf, length: 2 } : null;
      if (!end) return;
      headersDone = true;
      const headers: Record<string, string> = {};
      for (const line of head.subarray(0, end.at).toString("latin1").split(/\r?\n/)) {
        const colon = line.indexOf(":");
        if (colon < 0) continue;
        const name = line.slice(0, colon).trim().toLowerCase();
        const value = line.slice(colon + 1).trim();
        if (name === "status") status = Number(value.split(" ")[0]) || 200;
        else headers[name] = value;
      }
      response.writeHead(status, headers);
      response.write(head.subarray(end.at + end.length));
    });
    child.stderr.resume();
    child.on("close", () => {
      if (!headersDone) {
        status = 500;
        response.writeHead(500, { "content-type": "text/plain" });
      }
      response.end();
      resolve(status);
    });
  });
}
