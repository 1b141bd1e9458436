// Remote actions (`uses: owner/repo[/path]@ref`), fetched once per job: the control plane resolves the ref to a
// commit and an archive (its policy and sources: docs/actions.md), the runner keeps the archive in a runner-wide
// cache named by its sha-256 (checked on every use: a changed byte fails the step), unpacks it by descriptor into
// the job's runner-file folder (`_actions/<owner>/<repo>/<sha>`, visible inside the sandbox) and reads its
// action.yml/action.yaml.
import { createHash, randomBytes } from "node:crypto";
import { closeSync, createReadStream, mkdirSync, renameSync, rmSync, statSync } from "node:fs";
import path from "node:path";
import { pipeline } from "node:stream/promises";
import type { ActionResolveResponse } from "@gantry/runner-protocol";
import type { Sandbox } from "../sandbox/types";
import { readActionManifest, type ActionManifest } from "./action-manifest";
import { extractArchive } from "./safe-archive";
import { components, openDir, openRoot, removeEntry, UnsafePathError, withFd, withFdAsync } from "./safe-fs";
import type { ActionsOptions } from "./types";
import { hostDiskFull, InfrastructureError } from "../infrastructure-error";

/** An action unpacked for this job. */
export interface PreparedAction {
  uses: string;
  repository: string;
  ref: string;
  sha: string;
  /** The action's folder inside the sandbox (GITHUB_ACTION_PATH) and on the host. */
  inside: string;
  host: string;
  manifest: ActionManifest;
  /** The metadata file, as errors name it (`owner/repo/path/action.yml@sha`). */
  file: string;
}

export type Prepared = { ok: true; action: PreparedAction } | { ok: false; error: string };

// An action's repository unpacked: more than this is not an action.
const MAX_UNPACKED_BYTES = 2 * 1024 * 1024 * 1024;
const NAME = /^[A-Za-z0-9_.-]+$/;

/** `owner/repo[/path]@ref` as GitHub accepts it in `uses:` (docker:// and ./local are not this). */
export function isRemoteAction(uses: string): boolean {
  return /^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+(\/[^@]*)?@.+$/.test(uses);
}

const message = (error: unknown) => (error instanceof Error ? error.message : String(error));

export class RemoteActions {
  private readonly prepared = new Map<string, Promise<Prepared>>();
  /** What each job-level step's pre phase saved (GITHUB_STATE), by step index, for its main and post. */
  readonly states = new Map<number, Record<string, string>>();

  constructor(
    readonly options: ActionsOptions,
    private readonly sandbox: Sandbox,
  ) {}

  /** The action at `uses`, resolved, downloaded and unpacked the first time this job asks; `write` gets the download line. */
  prepare(uses: string, write: (text: string) => Promise<void>, stepIndex?: number): Promise<Prepared> {
    let pending = this.prepared.get(uses);
    if (!pending) {
      pending = this.fetch(uses, write, stepIndex);
      this.prepared.set(uses, pending);
      if (stepIndex !== undefined) this.recorded.add(`${stepIndex} ${uses}`);
    } else if (stepIndex !== undefined && !this.recorded.has(`${stepIndex} ${uses}`)) {
      // Another step of the job uses the same action: resolving again (pinned per run, so the same commit) records
      // the commit on this step too; the archive is already here.
      this.recorded.add(`${stepIndex} ${uses}`);
      const first = pending;
      pending = this.options.resolve(uses, stepIndex).then(
        () => first,
        () => first,
      );
    }
    return pending;
  }

  /** `<step index> <uses>` pairs whose resolution went to the control plane with the step's index. */
  private readonly recorded = new Set<string>();

  private async fetch(uses: string, write: (text: string) => Promise<void>, stepIndex?: number): Promise<Prepared> {
    let resolved: ActionResolveResponse;
    try {
      resolved = await this.options.resolve(uses, stepIndex);
    } catch (error) {
      return { ok: false, error: `uses: ${uses}: ${message(error)}` };
    }
    const [owner = "", repo = ""] = resolved.repository.split("/");
    if (!NAME.test(owner) || !NAME.test(repo) || [owner, repo].some((part) => part === "." || part === "..") || resolved.repository.split("/").length !== 2) {
      return { ok: false, error: `uses: ${uses}: the control plane answered an invalid repository ${JSON.stringify(resolved.repository)}` };
    }
    let archive: string;
    try {
      archive = await this.archive(resolved);
    } catch (error) {
      if (error instanceof InfrastructureError) throw error;
      return { ok: false, error: `uses: ${uses}: ${message(error)}` };
    }
    await write(`Download action repository '${resolved.repository}@${resolved.ref}' (SHA:${resolved.sha})\n`);
    const folder = `_actions/${owner}/${repo}/${resolved.sha}`;
    try {
      components(resolved.path);
      await withFdAsync(openRoot(this.sandbox.hostPaths.runnerFiles), async (root) => {
        const parent = openDir(root, `_actions/${owner}/${repo}`, { create: { mode: 0o755 } });
        try {
          // Whatever is at the name (a job could have put something there) goes; the archive is unpacked afresh.
          removeEntry(parent, resolved.sha);
          const dest = openDir(parent, resolved.sha, { create: { mode: 0o755 } });
          try {
            await extractArchive(archive, dest, { stripTopFolder: true, maxBytes: MAX_UNPACKED_BYTES });
          } finally {
            closeSync(dest);
          }
        } finally {
          closeSync(parent);
        }
      });
    } catch (error) {
      if (error instanceof UnsafePathError) return { ok: false, error: `uses: ${uses}: the archive of ${resolved.repository}@${resolved.sha} was refused: ${error.message}` };
      return { ok: false, error: `uses: ${uses}: could not unpack ${resolved.repository}@${resolved.sha}: ${message(error)}` };
    }
    const relative = path.posix.join(folder, resolved.path);
    const label = `${resolved.repository}${resolved.path ? `/${resolved.path}` : ""}@${resolved.ref}`;
    let manifest;
    try {
      manifest = withFd(openRoot(this.sandbox.hostPaths.runnerFiles), (root) =>
        withFd(openDir(root, relative), (dir) => readActionManifest(dir, label, (name) => `${path.posix.join(resolved.repository, resolved.path, name)}@${resolved.sha}`)),
      );
    } catch (error) {
      if (error instanceof UnsafePathError) return { ok: false, error: `uses: ${uses}: ${resolved.path ? `the folder ${resolved.path} of ${resolved.repository}@${resolved.sha}` : "the action's folder"}: ${error.message}` };
      throw error;
    }
    if (!manifest.ok) return manifest;
    return {
      ok: true,
      action: {
        uses,
        repository: resolved.repository,
        ref: resolved.ref,
        sha: resolved.sha,
        inside: path.posix.join(this.sandbox.paths.runnerFiles, relative),
        host: path.join(this.sandbox.hostPaths.runnerFiles, relative),
        manifest: manifest.manifest,
        file: manifest.file,
      },
    };
  }

  /** The archive in the runner-wide cache, downloaded when missing; its sha-256 checked either way. */
  private async archive(resolved: ActionResolveResponse): Promise<string> {
    mkdirSync(this.options.cacheDir, { recursive: true, mode: 0o700 });
    const file = path.join(this.options.cacheDir, `${resolved.sha256}.tar.gz`);
    if (exists(file) && (await sha256Of(file)) === resolved.sha256) return file;
    const part = path.join(this.options.cacheDir, `.${resolved.sha256}.${randomBytes(6).toString("hex")}.part`);
    try {
      await this.options.download(resolved.downloadUrl, part);
      const actual = await sha256Of(part);
      if (actual !== resolved.sha256) {
        throw new Error(`the archive of ${resolved.repository}@${resolved.sha} has sha-256 ${actual}, not the ${resolved.sha256} the control plane recorded: refusing it (its bytes changed)`);
      }
      renameSync(part, file);
      return file;
    } catch (error) {
      // The runner-wide cache is on the runner's disk, not the job's quota: no room there is the host's trouble.
      if (hostDiskFull(error)) throw new InfrastructureError(`the runner's disk is full: cannot keep the archive of ${resolved.repository}@${resolved.sha} in ${this.options.cacheDir}`, { cause: error });
      throw error;
    } finally {
      rmSync(part, { force: true });
    }
  }
}

function exists(file: string): boolean {
  try {
    return statSync(file).isFile();
  } catch {
    return false;
  }
}

async function sha256Of(file: string): Promise<string> {
  const hash = createHash("sha256");
  await pipeline(createReadStream(file), hash);
  return hash.digest("hex");
}
