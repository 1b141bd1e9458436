// The commit a ref names (GET /repos/{owner}/{repo}/commits/{ref}): a run of an event GitHub gives no sha for
// (issues, release, create, …) starts at the commit its ref names at intake (docs/triggers.md).
import { z } from "zod";
import { GithubApiError } from "./http";
import { githubCall, repoPath, repositoryOctokit } from "./octokit";
import { sha } from "./events/common";
import type { RepositoryListerOptions } from "./listings";

const commit = z.object({ sha });

/** The commit `ref` (a branch, a tag, refs/heads/…, refs/tags/… or a sha) points at; null when it names none. */
export async function commitOfRef(options: RepositoryListerOptions, ref: string): Promise<string | null> {
  const path = `${repoPath(options.repository)}/commits/${ref.split("/").map(encodeURIComponent).join("/")}`;
  const octokit = repositoryOctokit(options);
  try {
    const found = await githubCall(octokit, "GET", path, commit);
    return found.sha;
  } catch (error) {
    // GitHub answers 422 ("No commit found for SHA") or 404 for a ref that names nothing.
    if (error instanceof GithubApiError && (error.status === 404 || error.status === 422)) return null;
    throw error;
  }
}
