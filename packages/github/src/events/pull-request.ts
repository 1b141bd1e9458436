import { z } from "zod";
import { githubId, installationRef, repository, sender, sha } from "./common";

const side = z.object({
  ref: z.string(),
  sha,
  label: z.string().optional(),
  // null when the fork the pull request came from was deleted.
  repo: z.object({ id: githubId, full_name: z.string(), fork: z.boolean().optional() }).nullable(),
});

/** `pull_request`: Gantry runs on opened, synchronize and reopened; every action is accepted and stored. */
export const pullRequestEvent = z.object({
  action: z.string(),
  number: z.number().int().positive(),
  pull_request: z.object({
    number: z.number().int().positive(),
    state: z.string(),
    draft: z.boolean().optional(),
    user: z.object({ login: z.string() }),
    // The author's relation to the repository (OWNER, MEMBER, COLLABORATOR, CONTRIBUTOR, FIRST_TIME_CONTRIBUTOR,
    // FIRST_TIMER, NONE, MANNEQUIN): what the tenant's fork policy asks (fork-approval.ts).
    author_association: z.string().optional(),
    head: side,
    base: side.extend({ repo: z.object({ id: githubId, full_name: z.string() }) }),
    // GitHub's test merge of head into base (refs/pull/<n>/merge); null until computed, or when they conflict.
    merge_commit_sha: sha.nullable().optional(),
    mergeable: z.boolean().nullable().optional(),
  }),
  repository,
  sender: sender.optional(),
  installation: installationRef.optional(),
});

export type PullRequestEvent = z.infer<typeof pullRequestEvent>;

export const PULL_REQUEST_RUN_ACTIONS: readonly string[] = ["opened", "synchronize", "reopened"];

/** From a fork (or from a fork since deleted): untrusted — no secrets, read-only token, strongest sandbox. */
export function pullRequestFromFork(event: PullRequestEvent): boolean {
  const head = event.pull_request.head.repo;
  return head === null || head.id !== event.pull_request.base.repo.id;
}
