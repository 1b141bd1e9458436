// Reads workflow files and changes straight from git at an exact commit: a local (bare) repository is read
// in place; a remote one through a mirror kept in a cache folder and fetched before each read.
import { execFile } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync } from "node:fs";
import path from "node:path";
import { promisify } from "node:util";

const exec = promisify(execFile);
export const ZERO_SHA = "0000000000000000000000000000000000000000";

export class GitReadError extends Error {
  override name = "GitReadError";
}

async function git(gitDir: string, args: string[]): Promise<string> {
  try {
    const { stdout } = await exec("git", ["--git-dir", gitDir, ...args], { maxBuffer: 64 * 1024 * 1024, env: { ...process.env, GIT_TERMINAL_PROMPT: "0" } });
    return stdout;
  } catch (error) {
    const stderr = typeof error === "object" && error !== null && "stderr" in error ? String(error.stderr).trim() : String(error);
    throw new GitReadError(`git ${args[0]} failed in ${gitDir}: ${stderr}`);
  }
}

function isLocal(url: string): boolean {
  return url.startsWith("/") || url.startsWith("file://");
}

/** The git dir to read: the repository itself when local, else a mirror under cacheDir, fetched now. */
export async function openRepository(url: string, cacheDir: string): Promise<GitRepository> {
  if (isLocal(url)) {
    const local = url.replace(/^file:\/\//, "");
    const gitDir = existsSync(path.join(local, ".git")) ? path.join(local, ".git") : local;
    if (!existsSync(gitDir)) throw new GitReadError(`repository ${url} does not exist`);
    return new GitRepository(gitDir);
  }
  mkdirSync(cacheDir, { recursive: true });
  const mirror = path.join(cacheDir, createHash("sha256").update(url).digest("hex").slice(0, 16) + ".git");
  if (!existsSync(mirror)) {
    await exec("git", ["clone", "--mirror", "--quiet", url, mirror]).catch((error: unknown) => {
      throw new GitReadError(`could not clone ${url}: ${error instanceof Error ? error.message : String(error)}`);
    });
  } else {
    await git(mirror, ["fetch", "--prune", "--quiet", "origin"]);
  }
  return new GitRepository(mirror);
}

export class GitRepository {
  constructor(readonly gitDir: string) {}

  /** Workflow files (`*.yml`, `*.yaml`) directly inside the given folders at the commit, sorted. */
  async workflowFiles(sha: string, folders: string[]): Promise<string[]> {
    // No folder means no file (ls-tree without a path would list the root).
    if (folders.length === 0) return [];
    const out = await git(this.gitDir, ["ls-tree", "--name-only", sha, "--", ...folders.map((f) => `${f}/`)]);
    return out
      .split("\n")
      .filter((file) => /\.ya?ml$/.test(file))
      .sort();
  }

  async readFile(sha: string, file: string): Promise<string> {
    return git(this.gitDir, ["cat-file", "blob", `${sha}:${file}`]);
  }

  /** The file at the commit, or undefined when the commit has no such file (any other git failure throws). */
  async readFileIfPresent(sha: string, file: string): Promise<string | undefined> {
    const listed = await git(this.gitDir, ["ls-tree", "--name-only", sha, "--", file]);
    return listed.split("\n").includes(file) ? this.readFile(sha, file) : undefined;
  }

  /** Files changed between two commits; undefined when there is no base (a new branch), so path filters do not apply. */
  async changedPaths(before: string, after: string): Promise<string[] | undefined> {
    if (before === ZERO_SHA) return undefined;
    const out = await git(this.gitDir, ["diff", "--name-only", "--no-renames", before, after]);
    return out.split("\n").filter(Boolean);
  }

  /**
   * The commit a branch or tag name (or a full `refs/heads/…`/`refs/tags/…` ref) points to, with the full ref;
   * null when there is no such branch or tag. A branch wins over a tag of the same name, as in git.
   */
  async resolveRef(name: string): Promise<{ ref: string; sha: string } | null> {
    const candidates = name.startsWith("refs/") ? [name] : [`refs/heads/${name}`, `refs/tags/${name}`];
    for (const ref of candidates) {
      if (!/^refs\/(heads|tags)\/[^\s~^:?*[\\]+$/.test(ref)) continue;
      const sha = await git(this.gitDir, ["rev-parse", "--verify", "--quiet", `${ref}^{commit}`]).then(
        (out) => out.trim(),
        () => "",
      );
      if (/^[0-9a-f]{40}$/.test(sha)) return { ref, sha };
    }
    return null;
  }

  async commitExists(sha: string): Promise<boolean> {
    return git(this.gitDir, ["cat-file", "-e", `${sha}^{commit}`]).then(
      () => true,
      () => false,
    );
  }
}
