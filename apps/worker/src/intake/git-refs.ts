// The refs of a plain-git repository, and the last commit intake saw on each (GitRefState): what the ref
// reconciler compares to find pushes whose notification never arrived.
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import type { Database } from "@gantry/db";
import { GitReadError, ZERO_SHA, type GitRepository } from "@gantry/sources";

const exec = promisify(execFile);

async function gitOutput(git: GitRepository, args: string[]): Promise<string> {
  try {
    const { stdout } = await exec("git", ["--git-dir", git.gitDir, ...args], { maxBuffer: 64 * 1024 * 1024, env: { ...process.env, GIT_TERMINAL_PROMPT: "0" } });
    return stdout;
  } catch (error) {
    const stderr = typeof error === "object" && error !== null && "stderr" in error ? String(error.stderr).trim() : String(error);
    throw new GitReadError(`git ${args[0]} failed in ${git.gitDir}: ${stderr}`);
  }
}

/** Branches and tags → the object each names (an annotated tag: the tag object, as a post-receive hook sees it). */
export async function listRefs(git: GitRepository): Promise<Map<string, string>> {
  const out = await gitOutput(git, ["for-each-ref", "--format=%(objectname) %(refname)", "refs/heads/", "refs/tags/"]);
  const refs = new Map<string, string>();
  for (const line of out.split("\n")) {
    const [sha, ref] = line.split(" ");
    if (sha && ref) refs.set(ref, sha);
  }
  return refs;
}

/** The commit a branch points at now, or null when there is no such branch. */
export async function branchHead(git: GitRepository, branch: string): Promise<string | null> {
  const refs = await listRefs(git);
  return refs.get(`refs/heads/${branch}`) ?? null;
}

/** Remembers the ref's new commit, or forgets the ref when it was deleted (the zero sha). */
export async function recordRefState(db: Database, repository: { id: string; tenantId: string }, ref: string, sha: string): Promise<void> {
  const sys = db.system("git refs: the last commit intake saw on a ref");
  if (sha === ZERO_SHA) {
    await sys.gitRefState.deleteMany({ where: { repositoryId: repository.id, ref } });
    return;
  }
  await sys.gitRefState.upsert({
    where: { repositoryId_ref: { repositoryId: repository.id, ref } },
    create: { tenantId: repository.tenantId, repositoryId: repository.id, ref, sha },
    update: { sha },
  });
}
