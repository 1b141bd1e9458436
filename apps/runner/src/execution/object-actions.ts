// Native `actions/upload-artifact`, `actions/download-artifact` and `actions/cache` (docs/artifacts-and-caches.md).
// The runner archives and extracts on the host side, never following a link the job planted out of the workspace,
// and as the sandbox's uid when it is root. Archives are tar.gz, sent to and fetched from expiring signed URLs the
// control plane grants (docs/runner-protocol.md), checked against their sha256 both ways.
import { createHash } from "node:crypto";
import { chownSync, createReadStream, mkdirSync, mkdtempSync, realpathSync, rmSync, statSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import type { ArtifactRequest, ArtifactResponse, CacheRequest, CacheResponse, ObjectGrant } from "@gantry/runner-protocol";
import * as tar from "tar";
import type { Sandbox } from "../sandbox/types";
import type { NativeAction } from "./types";

type WithoutAttempt<T> = T extends unknown ? Omit<T, "attemptId"> : never;

/** The control plane as the object actions see it: one attempt's grants and the signed URLs' bytes. */
export interface ObjectTransfer {
  artifact(body: WithoutAttempt<ArtifactRequest>): Promise<ArtifactResponse>;
  cache(body: WithoutAttempt<CacheRequest>): Promise<CacheResponse>;
  put(grant: ObjectGrant, file: string, sizeBytes: number): Promise<void>;
  /** Downloads the granted object into `file`. */
  get(grant: ObjectGrant, file: string): Promise<void>;
}

const lines = (value: string | undefined) => (value ?? "").split("\n").map((line) => line.trim()).filter((line) => line !== "");
const message = (error: unknown) => (error instanceof Error ? error.message : String(error));
const fail = (error: string) => ({ ok: false, outputs: {}, error });


/** A path the job named (relative to the workspace, or absolute inside it) as a host path, or why not. */
function hostPath(sandbox: Sandbox, named: string): { ok: true; host: string; relative: string } | { ok: false; error: string } {
  const inside = path.posix.resolve(sandbox.paths.workspace, named.replace(/^\.\//, ""));
  const relative = path.posix.relative(sandbox.paths.workspace, inside);
  if (relative.startsWith("..") || path.posix.isAbsolute(relative)) return { ok: false, error: `${JSON.stringify(named)} is outside the workspace (${sandbox.paths.workspace}); only workspace paths are supported` };
  if (/[*?[\]{}]/.test(named)) return { ok: false, error: `${JSON.stringify(named)}: wildcards in paths are not supported yet; name files or directories` };
  return { ok: true, host: path.join(sandbox.hostPaths.workspace, relative), relative: relative === "" ? "." : relative };
}

/** `dir` after resolving links, when it is still inside the workspace (a job may plant a link to a host path). */
function insideWorkspace(sandbox: Sandbox, dir: string): string | null {
  const root = realpathSync(sandbox.hostPaths.workspace);
  const real = realpathSync(dir);
  return real === root || real.startsWith(`${root}/`) ? real : null;
}

/** The uid/gid that owns the workspace, when the runner is root and must not leave root-owned files there. */
function owner(sandbox: Sandbox): { uid: number; gid: number } | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const stat = statSync(sandbox.hostPaths.workspace);
  return { uid: stat.uid, gid: stat.gid };
}

async function sha256Of(file: string): Promise<string> {
  const hash = createHash("sha256");
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest("hex");
}

/** A tar.gz of `entries` (relative to `cwd`) in a private temporary directory; links are stored, never followed. */
async function archive(cwd: string, entries: string[], deterministic: boolean): Promise<{ dir: string; file: string; sha256: string; sizeBytes: number }> {
  const dir = mkdtempSync(path.join(os.tmpdir(), "gantry-archive-"));
  const file = path.join(dir, "archive.tar.gz");
  await tar.c({ gzip: true, cwd, file, portable: true, follow: false, ...(deterministic ? { mtime: new Date(0) } : {}) }, entries);
  return { dir, file, sha256: await sha256Of(file), sizeBytes: statSync(file).size };
}

/** Downloads a granted object, checks its sha256, and extracts it into `dest` (inside the workspace). */
async function fetchAndExtract(transfer: ObjectTransfer, grant: ObjectGrant, sha256: string, sandbox: Sandbox, dest: string, keepMtime: boolean): Promise<void> {
  const dir = mkdtempSync(path.join(os.tmpdir(), "gantry-archive-"));
  try {
    const file = path.join(dir, "archive.tar.gz");
    await transfer.get(grant, file);
    const got = await sha256Of(file);
    if (got !== sha256) throw new Error(`the download's sha256 is ${got}, not ${sha256}`);
    const uid = owner(sandbox);
    // node-tar refuses absolute and `..` members and never extracts through a link.
    await tar.x({ file, cwd: dest, preservePaths: false, preserveOwner: false, ...(uid ?? {}), ...(keepMtime ? {} : { noMtime: true }) });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** mkdir -p `dest` (owned as the workspace), then its real path when it stays inside the workspace. */
function destination(sandbox: Sandbox, host: string): string | null {
  mkdirSync(host, { recursive: true });
  const real = insideWorkspace(sandbox, host);
  const uid = owner(sandbox);
  if (real && uid) for (let dir = real; dir.length > sandbox.hostPaths.workspace.length && dir !== path.dirname(dir); dir = path.dirname(dir)) chownSync(dir, uid.uid, uid.gid);
  return real;
}

export function uploadArtifactAction(transfer: ObjectTransfer): NativeAction {
  return async ({ with: inputs, sandbox, write }): ReturnType<NativeAction> => {
    const name = inputs.name && inputs.name !== "" ? inputs.name : "artifact";
    const named = lines(inputs.path);
    if (named.length === 0) return fail("upload-artifact: `path` is required");
    const ifNone = inputs["if-no-files-found"] ?? "warn";
    if (!["warn", "error", "ignore"].includes(ifNone)) return fail(`upload-artifact: if-no-files-found must be warn, error or ignore, not ${JSON.stringify(ifNone)}`);
    const retention = inputs["retention-days"];
    if (retention !== undefined && retention !== "" && !/^\d+$/.test(retention)) return fail(`upload-artifact: retention-days must be a number, not ${JSON.stringify(retention)}`);
    const found: { host: string; relative: string }[] = [];
    for (const entry of named) {
      const resolved = hostPath(sandbox, entry);
      if (!resolved.ok) return fail(`upload-artifact: ${resolved.error}`);
      try {
        statSync(resolved.host);
        found.push(resolved);
      } catch {
        // Missing paths are handled by if-no-files-found below.
      }
    }
    if (found.length === 0) {
      const text = `No files were found with the provided path: ${named.join(", ")}. No artifacts will be uploaded.`;
      if (ifNone === "error") return fail(`upload-artifact: ${text}`);
      if (ifNone === "warn") await write(`##[warning]${text}\n`);
      return { ok: true, outputs: {} };
    }
    // As GitHub: one directory uploads its contents; otherwise paths are kept below their common parent.
    const only = found.length === 1 ? found[0] : undefined;
    const single = only && statSync(only.host).isDirectory() ? only : undefined;
    const parent = single ? single.relative : commonParent(found.map((f) => f.relative));
    const cwd = insideWorkspace(sandbox, path.join(sandbox.hostPaths.workspace, parent));
    if (!cwd) return fail(`upload-artifact: ${JSON.stringify(parent)} leads out of the workspace`);
    const entries = single ? ["."] : found.map((f) => path.posix.relative(parent, f.relative));
    const packed = await archive(cwd, entries, true);
    try {
      const answer = await transfer.artifact({ op: "upload", name, sha256: packed.sha256, sizeBytes: packed.sizeBytes, ...(retention ? { retentionDays: Number(retention) } : {}) });
      if (answer.grant) await transfer.put(answer.grant, packed.file, packed.sizeBytes);
      await write(`Uploaded artifact ${name}: ${packed.sizeBytes} bytes, sha256 ${packed.sha256}${answer.grant ? "" : " (already stored)"}\n`);
      return { ok: true, outputs: { "artifact-digest": packed.sha256 } };
    } catch (error) {
      return fail(`upload-artifact: ${message(error)}`);
    } finally {
      rmSync(packed.dir, { recursive: true, force: true });
    }
  };
}

function commonParent(relatives: string[]): string {
  const split = relatives.map((r) => path.posix.dirname(r).split("/"));
  const first = split[0] ?? [];
  let depth = 0;
  while (depth < first.length && split.every((parts) => parts[depth] === first[depth])) depth++;
  return first.slice(0, depth).join("/") || ".";
}

export function downloadArtifactAction(transfer: ObjectTransfer): NativeAction {
  return async ({ with: inputs, sandbox, write }): ReturnType<NativeAction> => {
    const name = inputs.name ?? "";
    if (name === "") return fail("download-artifact: `name` is required (downloading every artifact of the run is not supported yet)");
    const target = hostPath(sandbox, inputs.path && inputs.path !== "" ? inputs.path : ".");
    if (!target.ok) return fail(`download-artifact: ${target.error}`);
    try {
      const answer = await transfer.artifact({ op: "download", name });
      if (!answer.grant) return fail(`download-artifact: no URL granted for ${name}`);
      const dest = destination(sandbox, target.host);
      if (!dest) return fail(`download-artifact: ${JSON.stringify(inputs.path)} leads out of the workspace`);
      await fetchAndExtract(transfer, answer.grant, answer.sha256, sandbox, dest, false);
      const inside = path.posix.join(sandbox.paths.workspace, target.relative);
      await write(`Downloaded artifact ${name} (${answer.sizeBytes} bytes) into ${inside}\n`);
      return { ok: true, outputs: { "download-path": inside } };
    } catch (error) {
      return fail(`download-artifact: ${message(error)}`);
    }
  };
}

/** GitHub's cache version: the path list and the compression, so another path set never restores. */
export const cacheVersion = (paths: string[]) => createHash("sha256").update([...paths, "gzip"].join("|")).digest("hex");

export function cacheAction(transfer: ObjectTransfer): NativeAction {
  return async ({ with: inputs, sandbox, write }): ReturnType<NativeAction> => {
    const key = inputs.key ?? "";
    const named = lines(inputs.path);
    if (key === "") return fail("cache: `key` is required");
    if (named.length === 0) return fail("cache: `path` is required");
    const resolved = named.map((entry) => hostPath(sandbox, entry));
    const bad = resolved.find((r) => !r.ok);
    if (bad && !bad.ok) return fail(`cache: ${bad.error}`);
    const paths = resolved.flatMap((r) => (r.ok ? [r.relative] : []));
    const version = cacheVersion(paths);
    const restoreKeys = lines(inputs["restore-keys"]);
    let hit = false;
    let matched = "";
    try {
      const answer = await transfer.cache({ op: "restore", key, restoreKeys, version });
      if (answer.entry && answer.grant) {
        await fetchAndExtract(transfer, answer.grant, answer.entry.sha256, sandbox, realpathSync(sandbox.hostPaths.workspace), true);
        hit = answer.entry.key === key;
        matched = answer.entry.key;
        await write(`Cache restored from key: ${answer.entry.key} (${answer.entry.sizeBytes} bytes, ${answer.entry.scope})\n`);
      } else {
        await write(`Cache not found for input keys: ${[key, ...restoreKeys].join(", ")}\n`);
      }
    } catch (error) {
      // As the real action: a cache that cannot be restored is a warning, not a failure.
      await write(`##[warning]Failed to restore the cache: ${message(error)}\n`);
    }
    const post = async (io: { write: (text: string) => Promise<void> }) => {
      if (hit) return void (await io.write(`Cache hit occurred on the primary key ${key}, not saving cache.\n`));
      const existing = paths.filter((relative) => {
        try {
          statSync(path.join(sandbox.hostPaths.workspace, relative));
          return true;
        } catch {
          return false;
        }
      });
      if (existing.length === 0) return void (await io.write(`##[warning]Path Validation Error: none of ${paths.join(", ")} exists. Cache not saved.\n`));
      let packed: Awaited<ReturnType<typeof archive>>;
      try {
        packed = await archive(realpathSync(sandbox.hostPaths.workspace), existing, false);
      } catch (error) {
        return void (await io.write(`##[warning]Failed to save the cache: ${message(error)}\n`));
      }
      const { dir, file, sha256, sizeBytes } = packed;
      try {
        const answer = await transfer.cache({ op: "save", key, version, sha256, sizeBytes });
        if (answer.grant) await transfer.put(answer.grant, file, sizeBytes);
        await io.write(answer.grant ? `Cache saved with key: ${key} (${sizeBytes} bytes)\n` : `Cache with key ${key} exists already; not saved.\n`);
      } catch (error) {
        await io.write(`##[warning]Failed to save the cache: ${message(error)}\n`);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    };
    return { ok: true, outputs: { "cache-hit": String(hit), "cache-primary-key": key, "cache-matched-key": matched }, post };
  };
}

/** The native actions that move objects, keyed as `uses:` names them (without the ref). */
export const objectActions = (transfer: ObjectTransfer): Record<string, NativeAction> => ({
  "actions/upload-artifact": uploadArtifactAction(transfer),
  "actions/download-artifact": downloadArtifactAction(transfer),
  "actions/cache": cacheAction(transfer),
});
