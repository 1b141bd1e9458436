// The events whose only job in Gantry is to start workflows `on:` them (docs/triggers.md). Each keeps what
// decides the run's ref and commit; the stored delivery keeps the whole payload, which is the run's `github.event`.
import { z } from "zod";
import { installationRef, repository, sender, sha } from "./common";
import { pullRequestEvent } from "./pull-request";

/** An event about a repository: GitHub runs its workflows at the default branch's head. */
export const repositoryEvent = z.object({
  action: z.string().optional(),
  repository,
  sender: sender.optional(),
  installation: installationRef.optional(),
});

/** Events that run at the default branch's head and carry nothing else Gantry reads. */
export const DEFAULT_BRANCH_EVENTS = [
  "branch_protection_rule",
  "discussion",
  "discussion_comment",
  "fork",
  "gollum",
  "issue_comment",
  "issues",
  "label",
  "milestone",
  "page_build",
  "public",
  "registry_package",
  "status",
  "watch",
] as const;
export type DefaultBranchEventName = (typeof DEFAULT_BRANCH_EVENTS)[number];

/** `release`: runs at the release's tag (refs/tags/<tag_name>). */
export const releaseEvent = repositoryEvent.extend({ action: z.string(), release: z.object({ tag_name: z.string().min(1), draft: z.boolean().optional() }) });

/** `create` and `delete`: a branch or tag; `create` runs at it, `delete` at the default branch. */
export const refEvent = repositoryEvent.extend({ ref: z.string().min(1), ref_type: z.enum(["branch", "tag"]) });

/** Who wrote a review or review comment, and their relation to the repository (the tenant's fork policy). */
const authored = z.object({ user: z.object({ login: z.string() }).nullable().optional(), author_association: z.string().optional() });

/** `pull_request_review` and `pull_request_review_comment`: run as the pull request's own runs do. */
export const pullRequestReviewEvent = repositoryEvent.extend({ action: z.string(), pull_request: pullRequestEvent.shape.pull_request, review: authored.optional(), comment: authored.optional() });

/** `repository_dispatch` (GitHub's or Gantry's API): `action` is the client's `event_type`. */
export const repositoryDispatchEvent = repositoryEvent.extend({
  action: z.string().min(1).max(100),
  branch: z.string().optional(),
  client_payload: z.record(z.string(), z.unknown()).nullable().optional(),
});

/** `merge_group`: runs at the merge group's commit and ref. */
export const mergeGroupEvent = repositoryEvent.extend({ action: z.string(), merge_group: z.object({ head_sha: sha, head_ref: z.string().startsWith("refs/"), base_ref: z.string() }) });

/** `deployment` and `deployment_status`: run at the deployed commit and ref. */
export const deploymentEvent = repositoryEvent.extend({ deployment: z.object({ sha, ref: z.string() }) });

export type RepositoryEvent = z.infer<typeof repositoryEvent>;
export type ReleaseEvent = z.infer<typeof releaseEvent>;
export type RefEvent = z.infer<typeof refEvent>;
export type PullRequestReviewEvent = z.infer<typeof pullRequestReviewEvent>;
export type RepositoryDispatchEvent = z.infer<typeof repositoryDispatchEvent>;
export type MergeGroupEvent = z.infer<typeof mergeGroupEvent>;
export type DeploymentEvent = z.infer<typeof deploymentEvent>;
