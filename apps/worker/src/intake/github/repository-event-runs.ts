// The events that only start workflows `on:` them (docs/triggers.md, "Which commit a run uses"): issues, release,
// create, labels, reviews, dispatches, … Each runs at the commit GitHub would use — the default branch's head for
// most (resolved through the API at intake: the payload names no commit), the release's tag, the created ref, the
// pull request's head for review events (from a fork: held for approval as pull_request runs are, when the tenant's
// policy says so) — with the whole payload as `github.event`. The idempotency key names the
// event by the hash of its signed body, never by X-GitHub-Delivery (unsigned): a replayed or redelivered body makes
// no second run, even after the default branch moved.
import { createHash } from "node:crypto";
import { githubWorkflowReader, type ForkPullRequestFacts, type WebhookEvent } from "@gantry/github";
import { workflowFolders } from "@gantry/sources";
import type { TriggerEvent } from "@gantry/workflow-schema";
import type { IntakeResult } from "../process-git-push";
import { resolveRepository } from "./repository";
import type { GithubIntake, GithubIntakeDeps } from "./types";
import { runWorkflowsAt, type CommitScope } from "./workflow-runs";
import { listenedEvents, rememberListenedEvents } from "../listened-events";
import { forkApprovalFor } from "./fork-approval";

/** A handled event that starts runs of workflows `on:` it, with its parsed payload. */
export type RepositoryWebhook = Exclude<WebhookEvent, { name: "push" | "pull_request" | "installation" | "installation_repositories" }>;

/** Where a run of the event starts: its ref and commit (null: resolve the ref's commit), trust, trigger. */
interface Start {
  ref: string;
  sha: string | null;
  trusted: boolean;
  trigger: TriggerEvent;
  /** A pull request's code from a fork: what the tenant's fork policy decides on (fork-approval.ts). */
  fork?: ForkPullRequestFacts;
}

const ignored = (reason: string): IntakeResult => ({ outcome: "IGNORED", reason, runs: [] });
const SHA = /^[0-9a-f]{40}$/;

/** The content hash of the delivered body: the same event delivered again hashes the same (jsonb keeps one key order). */
export function payloadDigest(payload: unknown): string {
  return createHash("sha256").update(JSON.stringify(payload)).digest("hex").slice(0, 32);
}

function startOf(event: RepositoryWebhook, defaultBranch: string): Start | string {
  const atDefault = (trigger: TriggerEvent): Start => ({ ref: `refs/heads/${defaultBranch}`, sha: null, trusted: true, trigger });
  const action = event.payload.action;
  const base: TriggerEvent = { name: event.name, ...(action !== undefined ? { action } : {}) };
  switch (event.name) {
    case "release": {
      const { release } = event.payload;
      return { ref: `refs/tags/${release.tag_name}`, sha: null, trusted: true, trigger: { ...base, tag: release.tag_name } };
    }
    case "create": {
      const { ref, ref_type } = event.payload;
      const full = `refs/${ref_type === "tag" ? "tags" : "heads"}/${ref}`;
      return { ref: full, sha: null, trusted: true, trigger: { ...base, ref: full } };
    }
    case "pull_request_review":
    case "pull_request_review_comment": {
      // As pull_request runs: the pull request's head (refs/pull/N/head), untrusted from a fork.
      const pr = event.payload.pull_request;
      const fromFork = pr.head.repo === null || pr.head.repo.id !== pr.base.repo.id;
      const by = event.payload.review ?? event.payload.comment;
      const fork: ForkPullRequestFacts = { number: pr.number, author: pr.user.login, authorAssociation: pr.author_association, actor: { login: by?.user?.login, association: by?.author_association }, headRepository: pr.head.repo?.full_name ?? null, fromFork };
      return { ref: `refs/pull/${pr.number}/head`, sha: pr.head.sha, trusted: !fromFork, trigger: { ...base, baseBranch: pr.base.ref }, fork };
    }
    case "merge_group": {
      const group = event.payload.merge_group;
      return { ref: group.head_ref, sha: group.head_sha, trusted: true, trigger: { ...base, baseBranch: group.base_ref.replace(/^refs\/heads\//, "") } };
    }
    case "deployment":
    case "deployment_status": {
      const { deployment } = event.payload;
      // GitHub: the deployed commit, and the deployed branch or tag (none when the deployment named a sha).
      const ref = deployment.ref.startsWith("refs/") ? deployment.ref : SHA.test(deployment.ref) ? `refs/heads/${defaultBranch}` : `refs/heads/${deployment.ref}`;
      return { ref, sha: deployment.sha, trusted: true, trigger: base };
    }
    default:
      return atDefault(base);
  }
}

export async function runRepositoryEvent(deps: GithubIntakeDeps, github: GithubIntake, event: RepositoryWebhook, deliveryRowId: string, digest: string): Promise<IntakeResult> {
  const resolved = await resolveRepository(deps.db, event.payload.repository.id, event.payload.installation?.id);
  if (!resolved.ok) return ignored(resolved.reason);
  const { repository, githubInstallationId } = resolved;
  const start = startOf(event, event.payload.repository.default_branch ?? repository.defaultBranch);
  if (typeof start === "string") return ignored(start);
  let sha = start.sha;
  if (sha === null) {
    const reader = await githubWorkflowReader(github, repository.fullName, githubInstallationId);
    sha = await reader.resolveCommit(start.ref);
    if (sha === null) return ignored(`${start.ref} names no commit in ${repository.fullName}`);
  }
  // Most events no workflow takes: known from an earlier intake at this commit, they cost no contents reads.
  const folders = workflowFolders(repository).join(",");
  if (listenedEvents(repository.id, folders, sha)?.has(event.name) === false) return ignored(`no workflow at ${sha.slice(0, 7)} runs on ${event.name}`);
  const approvalRequired = start.fork ? await forkApprovalFor(deps.db, repository, start.fork) : undefined;
  const commit = {
    event: event.name,
    ref: start.ref,
    sha,
    trigger: start.trigger,
    trusted: start.trusted,
    ...(approvalRequired ? { approvalRequired } : {}),
    ...(event.payload.sender ? { triggeredBy: event.payload.sender.login } : {}),
    deliveryId: deliveryRowId,
    keyPart: `${event.payload.action ?? ""}:${digest}`,
    // An invalid file at that commit was reported by the push that put it there; every issue comment must not add one.
    reportInvalid: false,
  };
  const compiled: CommitScope["compiled"] = [];
  const result = await runWorkflowsAt(deps, github, repository, githubInstallationId, commit, compiled);
  rememberListenedEvents(repository.id, folders, sha, compiled);
  return result;
}
