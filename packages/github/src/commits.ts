// The commit a ref names (GET /repos/{owner}/{repo}/commits/{ref}): a run of an event GitHub gives no sha for
// (issues, release, create, …) starts at the commit its ref names at intake (docs/triggers.md).
import { z } from "zod";
import { GithubApiError, githubRequest } from "./http";
import { sha } from "./events/common";
import type { RepositoryListerOptions } from "./listings";

const commit = z.object({ sha });

/** The commit `ref` (a branch, a tag, refs/heads/…, refs/tags/… or a sha) points at; null when it names none. */
export async function commitOfRef(options: RepositoryListerOptions, ref: string): Promise<string | null> {
  const [owner, name] = options.repository.split("/");
  const path = `/repos/${encodeURIComponent(owner ?? "")}/${encodeURIComponent(name ?? "")}/commits/${ref.split("/").map(encodeURIComponent).join("/")}`;
  try {
    const found = await githubRequest(options.apiUrl, { method: "GET", path, authorization: `token ${options.token}`, schema: commit }, options.fetch);
    return found.sha;
  } catch (error) {
    // GitHub answers 422 ("No commit found for SHA") or 404 for a ref that names nothing.
    if (error instanceof GithubApiError && (error.status === 404 || error.status === 422)) return null;
    throw error;
  }
}
