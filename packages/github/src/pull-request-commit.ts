// Which commit a `pull_request` run uses, as GitHub decides it: the test merge of the head into the base
// (`refs/pull/<n>/merge`, the pull request's `merge_commit_sha`), or — when GitHub has no merge commit (none
// computed yet, or the branches conflict: `mergeable: false`) — the head commit itself (`refs/pull/<n>/head`),
// with a note saying so. `pull_request_target` is not decided here: it always runs the base.
import { z } from "zod";
import type { Fetch } from "./http";
import { githubCall, githubOctokit, repoPath } from "./octokit";
import { sha } from "./events/common";

export interface PullRequestCommitSource {
  number: number;
  head: { sha: string };
  /** null: GitHub has not made (or could not make) the test merge commit. */
  merge_commit_sha?: string | null | undefined;
  /** false: the head conflicts with the base; null: not computed yet. */
  mergeable?: boolean | null | undefined;
}

export interface PullRequestRunCommit {
  ref: string;
  sha: string;
  /** Set when the run uses the head commit instead of the merge result: why (shown as a run warning). */
  note?: string;
}

export function pullRequestRunCommit(pull: PullRequestCommitSource): PullRequestRunCommit {
  const head = { ref: `refs/pull/${pull.number}/head`, sha: pull.head.sha };
  if (pull.mergeable === false) {
    return { ...head, note: `Pull request #${pull.number} conflicts with its base branch, so there is no merge commit: this run uses the head commit ${pull.head.sha.slice(0, 7)} (${head.ref}), not the result of merging it.` };
  }
  if (!pull.merge_commit_sha) {
    return { ...head, note: `GitHub had no merge commit for pull request #${pull.number} yet: this run uses the head commit ${pull.head.sha.slice(0, 7)} (${head.ref}), not the result of merging it.` };
  }
  return { ref: `refs/pull/${pull.number}/merge`, sha: pull.merge_commit_sha };
}

const pullRequest = z.object({
  number: z.number().int().positive(),
  state: z.string(),
  head: z.object({ sha }),
  merge_commit_sha: sha.nullable().optional(),
  mergeable: z.boolean().nullable().optional(),
});

export type PullRequestDetails = z.infer<typeof pullRequest>;

/** One pull request as `GET /repos/{owner}/{repo}/pulls/{n}` answers it (the only answer with `mergeable`). */
export async function readPullRequest(options: { apiUrl: string; repository: string; token: string; fetch?: Fetch }, number: number): Promise<PullRequestDetails> {
  const octokit = githubOctokit({ apiUrl: options.apiUrl, auth: { token: options.token }, ...(options.fetch ? { fetch: options.fetch } : {}) });
  return githubCall(octokit, "GET", `${repoPath(options.repository)}/pulls/${number}`, pullRequest);
}
