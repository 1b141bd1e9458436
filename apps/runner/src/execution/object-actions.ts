// Native `actions/upload-artifact`, `actions/download-artifact` and `actions/cache` (docs/artifacts-and-caches.md).
// The runner archives and extracts on the host side, so every path the job named goes through safe-fs (DESIGN.md
// invariant 10): archives are written by safe-archive.ts from directories opened by descriptor, never through a
// link; extraction happens in a destination opened (and created, owned by the sandbox's uid) the same way, with
// node-tar's own refusal of links inside it. Archives are tar.gz, sent to and fetched from expiring signed URLs the
// control plane grants (docs/runner-protocol.md), checked against their sha256 both ways.
import { createHash } from "node:crypto";
import { createReadStream, mkdtempSync, rmSync, statSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import type { ArtifactRequest, ArtifactResponse, CacheRequest, CacheResponse, ObjectGrant } from "@gantry/runner-protocol";
import * as tar from "tar";
import type { Sandbox } from "../sandbox/types";
import { writeArchive } from "./safe-archive";
import { at, entryAt, namesIn, openDir, openRoot, ownerToGive, UnsafePathError, withFd, withFdAsync, type Owner } from "./safe-fs";
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


/** A path the job named (relative to the workspace, or absolute inside it) relative to the workspace, or why not. */
function workspacePath(sandbox: Sandbox, named: string): { ok: true; relative: string } | { ok: false; error: string } {
  const inside = path.posix.resolve(sandbox.paths.workspace, named.replace(/^\.\//, ""));
  const relative = path.posix.relative(sandbox.paths.workspace, inside);
  if (relative.startsWith("..") || path.posix.isAbsolute(relative)) return { ok: false, error: `${JSON.stringify(named)} is outside the workspace (${sandbox.paths.workspace}); only workspace paths are supported` };
  if (/[*?[\]{}]/.test(named)) return { ok: false, error: `${JSON.stringify(named)}: wildcards in paths are not supported yet; name files or directories` };
  if (named.includes("\0")) return { ok: false, error: `${JSON.stringify(named)} holds a NUL byte` };
  return { ok: true, relative: relative === "" ? "." : relative };
}

/** Runs `use` with the sandbox's workspace opened as a directory descriptor (safe-fs's root for the job's paths). */
const inWorkspace = <T>(sandbox: Sandbox, use: (root: number) => Promise<T>): Promise<T> => withFdAsync(openRoot(sandbox.hostPaths.workspace), use);

/** What is at `relative` in the workspace, reached without following a link on the way; undefined when nothing. */
function lookUp(root: number, relative: string): { isDirectory: boolean } | undefined {
  if (relative === ".") return { isDirectory: true };
  let parent: number;
  try {
    parent = openDir(root, path.posix.dirname(relative), { shown: relative });
  } catch (error) {
    if (error instanceof UnsafePathError && error.reason === "missing") return undefined;
    throw error;
  }
  return withFd(parent, (dir) => {
    const stat = entryAt(dir, path.posix.basename(relative));
    return stat ? { isDirectory: stat.isDirectory() } : undefined;
  });
}

async function sha256Of(file: string): Promise<string> {
  const hash = createHash("sha256");
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest("hex");
}

/** A tar.gz of `entries` (relative to `base` in the workspace) in a private temporary directory; see safe-archive.ts. */
async function archive(root: number, base: string, entries: string[], deterministic: boolean): Promise<{ dir: string; file: string; sha256: string; sizeBytes: number }> {
  const dir = mkdtempSync(path.join(os.tmpdir(), "gantry-archive-"));
  const file = path.join(dir, "archive.tar.gz");
  try {
    await writeArchive(root, base, entries, file, { deterministic });
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
  return { dir, file, sha256: await sha256Of(file), sizeBytes: statSync(file).size };
}

/**
 * Downloads a granted object, checks its sha256, and extracts it into the directory open at `destFd`: node-tar works
 * from that descriptor (not from a path a link could redirect), refuses absolute and `..` members and never extracts
 * through a link, whether the job planted it or the archive carries it.
 */
async function fetchAndExtract(transfer: ObjectTransfer, grant: ObjectGrant, sha256: string, destFd: number, owner: Owner | undefined, keepMtime: boolean): Promise<void> {
  const dir = mkdtempSync(path.join(os.tmpdir(), "gantry-archive-"));
  try {
    const file = path.join(dir, "archive.tar.gz");
    await transfer.get(grant, file);
    const got = await sha256Of(file);
    if (got !== sha256) throw new Error(`the download's sha256 is ${got}, not ${sha256}`);
    await tar.x({ file, cwd: at(destFd), preservePaths: false, preserveOwner: false, ...(owner ?? {}), ...(keepMtime ? {} : { noMtime: true }) });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** A refused path's message names it; anything else is the error's own message. */
const why = (error: unknown): string => (error instanceof UnsafePathError ? error.message : message(error));

export function uploadArtifactAction(transfer: ObjectTransfer): NativeAction {
  return async ({ with: inputs, sandbox, write }): ReturnType<NativeAction> => {
    const name = inputs.name && inputs.name !== "" ? inputs.name : "artifact";
    const named = lines(inputs.path);
    if (named.length === 0) return fail("upload-artifact: `path` is required");
    const ifNone = inputs["if-no-files-found"] ?? "warn";
    if (!["warn", "error", "ignore"].includes(ifNone)) return fail(`upload-artifact: if-no-files-found must be warn, error or ignore, not ${JSON.stringify(ifNone)}`);
    const retention = inputs["retention-days"];
    if (retention !== undefined && retention !== "" && !/^\d+$/.test(retention)) return fail(`upload-artifact: retention-days must be a number, not ${JSON.stringify(retention)}`);
    const resolved: string[] = [];
    for (const entry of named) {
      const one = workspacePath(sandbox, entry);
      if (!one.ok) return fail(`upload-artifact: ${one.error}`);
      resolved.push(one.relative);
    }
    return inWorkspace(sandbox, async (root): ReturnType<NativeAction> => {
      const found: { relative: string; isDirectory: boolean }[] = [];
      try {
        for (const relative of resolved) {
          const what = lookUp(root, relative);
          // Missing paths are handled by if-no-files-found below.
          if (what) found.push({ relative, ...what });
        }
      } catch (error) {
        return fail(`upload-artifact: ${why(error)}`);
      }
      if (found.length === 0) {
        const text = `No files were found with the provided path: ${named.join(", ")}. No artifacts will be uploaded.`;
        if (ifNone === "error") return fail(`upload-artifact: ${text}`);
        if (ifNone === "warn") await write(`##[warning]${text}\n`);
        return { ok: true, outputs: {} };
      }
      // As GitHub: one directory uploads its contents; otherwise paths are kept below their common parent.
      const only = found.length === 1 ? found[0] : undefined;
      const single = only?.isDirectory ? only : undefined;
      let packed: Awaited<ReturnType<typeof archive>>;
      try {
        const parent = single ? single.relative : commonParent(found.map((f) => f.relative));
        const entries = single ? withFd(openDir(root, single.relative), namesIn) : found.map((f) => path.posix.relative(parent, f.relative));
        packed = await archive(root, parent, entries, true);
      } catch (error) {
        return fail(`upload-artifact: ${why(error)}`);
      }
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
    });
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
    const target = workspacePath(sandbox, inputs.path && inputs.path !== "" ? inputs.path : ".");
    if (!target.ok) return fail(`download-artifact: ${target.error}`);
    try {
      const answer = await transfer.artifact({ op: "download", name });
      if (!answer.grant) return fail(`download-artifact: no URL granted for ${name}`);
      const grant = answer.grant;
      await inWorkspace(sandbox, async (root) => {
        const owner = ownerToGive(root);
        // mkdir -p by descriptor, each new directory the sandbox's: a link on the way is refused, not followed.
        const dest = openDir(root, target.relative, { create: { mode: 0o755, ...(owner ? { owner } : {}) } });
        await withFdAsync(dest, (fd) => fetchAndExtract(transfer, grant, answer.sha256, fd, owner, false));
      });
      const inside = path.posix.join(sandbox.paths.workspace, target.relative);
      await write(`Downloaded artifact ${name} (${answer.sizeBytes} bytes) into ${inside}\n`);
      return { ok: true, outputs: { "download-path": inside } };
    } catch (error) {
      return fail(`download-artifact: ${why(error)}`);
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
    const resolved = named.map((entry) => workspacePath(sandbox, entry));
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
        const { grant, entry } = answer;
        await inWorkspace(sandbox, (root) => fetchAndExtract(transfer, grant, entry.sha256, root, ownerToGive(root), true));
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
      let packed: Awaited<ReturnType<typeof archive>> | undefined;
      try {
        packed = await inWorkspace(sandbox, async (root) => {
          const existing = paths.filter((relative) => lookUp(root, relative) !== undefined);
          return existing.length === 0 ? undefined : archive(root, ".", existing, false);
        });
      } catch (error) {
        return void (await io.write(`##[warning]Failed to save the cache: ${why(error)}\n`));
      }
      if (!packed) return void (await io.write(`##[warning]Path Validation Error: none of ${paths.join(", ")} exists. Cache not saved.\n`));
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
