// A local server playing the control plane's POST /api/runner/v1/actions/resolve (the real wire format of
// runner-protocol) and the signed archive URL it answers: each action is a folder served as GitHub's tarball
// endpoint does (a gzipped tar whose single top folder is `{owner}-{repo}-{short sha}/`). GitHub's published actions
// come from ../shared/actions beside the repository (read in place, shas from INDEX.tsv); a test adds its own folders.
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import os from "node:os";
import path from "node:path";
import { actionResolveRequest, PROTOCOL_BASE_PATH, type ActionResolveResponse } from "@gantry/runner-protocol";

export const SHARED_ACTIONS = process.env.GANTRY_SHARED_ACTIONS_DIR ?? path.resolve(import.meta.dirname, "../../../../../shared/actions");

/** owner/repo@tag → commit sha, from INDEX.tsv. */
export function sharedActionShas(): Map<string, string> {
  const shas = new Map<string, string>();
  for (const line of readFileSync(path.join(SHARED_ACTIONS, "INDEX.tsv"), "utf8").split("\n").slice(1)) {
    const [action, tag, sha] = line.split("\t");
    if (action && tag && sha) shas.set(`${action}@${tag}`, sha);
  }
  return shas;
}

interface Served {
  folder: string;
  sha: string;
}

export class ActionServer {
  private server: Server | undefined;
  private readonly served = new Map<string, Served>();
  /** The bytes served at each archive URL; `built` keeps the real ones (a tampered archive replaces only these). */
  private readonly archives = new Map<string, Buffer>();
  private readonly built = new Map<string, Buffer>();
  private readonly work = mkdtempSync(path.join(os.tmpdir(), "gantry-action-server-"));
  /** Every resolve and archive request, in order (`resolve owner/repo@ref`, `get <name>`). */
  readonly requests: string[] = [];
  /** Archive bytes to serve instead of the real ones (a tarball whose bytes changed), by repository@ref. */
  readonly tampered = new Map<string, Buffer>();
  url = "";

  constructor(readonly jobToken: string) {
    for (const [key, sha] of sharedActionShas()) {
      const [action = "", tag = ""] = key.split("@");
      this.served.set(key, { folder: path.join(SHARED_ACTIONS, action, tag), sha });
    }
  }

  /** Serves `folder` as `repository@ref` at commit `sha`. */
  add(repositoryAtRef: string, folder: string, sha: string): void {
    this.served.set(repositoryAtRef, { folder, sha });
  }

  async start(): Promise<void> {
    this.server = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on("data", (chunk: Buffer) => chunks.push(chunk));
      request.on("end", () => {
        const answer = (status: number, body: unknown) => {
          response.writeHead(status, { "content-type": "application/json" });
          response.end(JSON.stringify(body));
        };
        const url = new URL(request.url ?? "/", this.url);
        if (request.method === "POST" && url.pathname === `${PROTOCOL_BASE_PATH}/actions/resolve`) {
          if (request.headers.authorization !== `Bearer ${this.jobToken}`) return answer(401, { error: "bad job token", code: "unauthorized" });
          const body = actionResolveRequest.safeParse(JSON.parse(Buffer.concat(chunks).toString() || "null"));
          if (!body.success) return answer(400, { error: "bad request", code: "bad_request" });
          this.requests.push(`resolve ${body.data.uses}`);
          const resolved = this.resolve(body.data.uses);
          return resolved ? answer(200, resolved) : answer(404, { error: `${body.data.uses}: the ref does not resolve`, code: "action_not_found" });
        }
        const name = url.pathname.startsWith("/archives/") ? url.pathname.slice("/archives/".length) : undefined;
        const bytes = name ? this.archives.get(name) : undefined;
        if (request.method === "GET" && name && bytes) {
          this.requests.push(`get ${name}`);
          response.writeHead(200, { "content-type": "application/gzip" });
          return response.end(bytes);
        }
        answer(404, { error: "not found", code: "not_found" });
      });
    });
    await new Promise<void>((resolve) => this.server?.listen(0, "127.0.0.1", resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  private resolve(uses: string): ActionResolveResponse | undefined {
    const at = uses.lastIndexOf("@");
    const [owner = "", repo = "", ...rest] = uses.slice(0, at).split("/");
    const ref = uses.slice(at + 1);
    const repository = `${owner}/${repo}`;
    const served = this.served.get(`${repository}@${ref}`);
    if (!served) return undefined;
    const name = `${owner}-${repo}-${served.sha}.tar.gz`;
    let bytes = this.built.get(name);
    if (!bytes) {
      const file = path.join(this.work, name);
      // GitHub's layout: one top folder named owner-repo-<short sha>.
      execFileSync("tar", ["-czf", file, "-C", served.folder, "--transform", `s,^\\.,${owner}-${repo}-${served.sha.slice(0, 7)},S`, "."]);
      bytes = readFileSync(file);
      this.built.set(name, bytes);
      this.archives.set(name, bytes);
    }
    const sha256 = createHash("sha256").update(bytes).digest("hex");
    const tampered = this.tampered.get(`${repository}@${ref}`);
    if (tampered) this.archives.set(name, tampered);
    return { repository, path: rest.join("/"), ref, sha: served.sha, sha256, sizeBytes: bytes.length, downloadUrl: `/archives/${name}`, source: "directory" };
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => this.server?.close(() => resolve()));
    rmSync(this.work, { recursive: true, force: true });
  }
}
