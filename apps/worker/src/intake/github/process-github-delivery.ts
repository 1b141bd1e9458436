// The intake of one stored GitHub delivery: installation events update installations and repositories; a push
// (branches and tags; deletions ignored) or a pull request (opened, synchronize, reopened; from a fork:
// untrusted, and held for approval when the tenant's policy says so) makes runs from the workflow files at its commit; a push to the default branch also syncs the
// repository's schedules; every other event a workflow can name runs workflows `on:` it (repository-event-runs.ts). The delivery is settled exactly once; a GitHub error worth retrying is thrown,
// leaving it RECEIVED for the job's next attempt.
import { intake, type WebhookDelivery } from "@gantry/db";
import { GithubApiError, isHandledEvent, parseWebhookEvent, PULL_REQUEST_RUN_ACTIONS, pullRequestFromFork, pullRequestRunCommit, pushChangedPaths, syncInstallation, type PullRequestEvent, type PushEvent, type WebhookEvent } from "@gantry/github";
import type { TriggerEvent } from "@gantry/workflow-schema";
import type { IntakeResult } from "../process-git-push";
import { resolveRepository } from "./repository";
import { rerunChecks } from "./rerun";
import { schedulesOf } from "../schedules/read-schedules";
import { syncSchedules } from "../schedules/sync-schedules";
import type { CompiledFile } from "../schedules/workflow-tree";
import type { GithubIntake, GithubIntakeDeps } from "./types";
import { runWorkflowsAt } from "./workflow-runs";
import { payloadDigest, runRepositoryEvent } from "./repository-event-runs";
import { forkApprovalFor } from "./fork-approval";

const ignored = (reason: string): IntakeResult => ({ outcome: "IGNORED", reason, runs: [] });

async function onPush(deps: GithubIntakeDeps, github: GithubIntake, push: PushEvent, deliveryId: string): Promise<IntakeResult> {
  if (push.deleted) return ignored("ref deleted");
  const resolved = await resolveRepository(deps.db, push.repository.id, push.installation?.id);
  if (!resolved.ok) return ignored(resolved.reason);
  const trigger: TriggerEvent = { name: "push", ref: push.ref };
  const changed = pushChangedPaths(push);
  if (changed) trigger.changedPaths = changed;
  const compiled: CompiledFile[] = [];
  const result = await runWorkflowsAt(
    deps,
    github,
    resolved.repository,
    resolved.githubInstallationId,
    { event: "push", ref: push.ref, sha: push.after, trigger, trusted: true, triggeredBy: push.sender?.login ?? push.pusher.name, deliveryId },
    compiled,
  );
  // The default branch's workflows are the ones whose `schedule` crons run.
  if (push.ref === `refs/heads/${resolved.repository.defaultBranch}`) await syncSchedules(deps.db, deps.queues, resolved.repository, push.after, schedulesOf(compiled));
  return result;
}

async function onPullRequest(deps: GithubIntakeDeps, github: GithubIntake, event: PullRequestEvent, deliveryId: string): Promise<IntakeResult> {
  if (!PULL_REQUEST_RUN_ACTIONS.includes(event.action)) return ignored(`pull_request ${event.action} starts no runs`);
  const resolved = await resolveRepository(deps.db, event.repository.id, event.installation?.id);
  if (!resolved.ok) return ignored(resolved.reason);
  const pr = event.pull_request;
  const triggeredBy = event.sender?.login ?? pr.user.login;
  // As on GitHub: the test merge commit (refs/pull/N/merge), workflows read there; the head when there is none,
  // with a run warning. Keyed per head commit, whichever is run (a redelivery with a new merge commit is no new run).
  const checkout = pullRequestRunCommit(pr);
  const fromFork = pullRequestFromFork(event);
  // The tenant's fork policy may hold a first-time contributor's run for a maintainer (never pull_request_target's).
  const approvalRequired = await forkApprovalFor(deps.db, resolved.repository, { number: pr.number, author: pr.user.login, authorAssociation: pr.author_association, headRepository: pr.head.repo?.full_name ?? null, fromFork });
  const fromHead = await runWorkflowsAt(deps, github, resolved.repository, resolved.githubInstallationId, {
    event: "pull_request",
    ref: checkout.ref,
    sha: checkout.sha,
    headSha: pr.head.sha,
    keyPart: `refs/pull/${pr.number}/head:${pr.head.sha}`,
    ...(checkout.note ? { notes: [checkout.note] } : {}),
    trigger: { name: "pull_request", action: event.action, baseBranch: pr.base.ref },
    trusted: !fromFork,
    triggeredBy,
    deliveryId,
    ...(approvalRequired ? { approvalRequired } : {}),
  });
  // pull_request_target: the base branch's workflows at the base commit, in the base repository's trust (as on
  // GitHub: such a workflow must not run the pull request's code with its secrets).
  const fromBase = await runWorkflowsAt(deps, github, resolved.repository, resolved.githubInstallationId, {
    event: "pull_request_target",
    ref: `refs/heads/${pr.base.ref}`,
    sha: pr.base.sha,
    trigger: { name: "pull_request_target", action: event.action, baseBranch: pr.base.ref },
    trusted: true,
    triggeredBy,
    deliveryId,
    keyPart: `refs/pull/${pr.number}:${pr.head.sha}:${pr.base.sha}`,
    reportInvalid: false,
  });
  const runs = [...fromHead.runs, ...fromBase.runs];
  return runs.length > 0 ? { outcome: "PROCESSED", runs } : fromHead;
}

/**
 * Whether a check event is about Gantry's own checks: those only re-run on `rerequested` and never start workflows
 * `on: check_run/check_suite` (a check Gantry reports would otherwise start a run that reports a check, …). Without
 * the App's id every check event counts as ours.
 */
function ourCheck(github: GithubIntake, event: Extract<WebhookEvent, { name: "check_run" | "check_suite" }>): boolean {
  const app = event.name === "check_run" ? event.payload.check_run.app : event.payload.check_suite.app;
  return github.appId === undefined || app?.id === undefined || String(app.id) === github.appId;
}

async function processEvent(deps: GithubIntakeDeps, event: WebhookEvent, deliveryRowId: string, digest: string): Promise<IntakeResult> {
  if (event.name === "installation" || event.name === "installation_repositories") {
    const synced = await syncInstallation(deps.db, event);
    return { outcome: "PROCESSED", reason: `installation ${synced.installationRowId ?? "unknown"} synced`, runs: [] };
  }
  const github = deps.github ?? null;
  if (!github) throw new NoGithubApp();
  switch (event.name) {
    case "push":
      return onPush(deps, github, event.payload, deliveryRowId);
    case "pull_request":
      return onPullRequest(deps, github, event.payload, deliveryRowId);
    case "check_run":
    case "check_suite":
      if (!ourCheck(github, event)) return runRepositoryEvent(deps, github, event, deliveryRowId, digest);
      return event.payload.action === "rerequested" ? rerunChecks(deps, github, event.payload, deliveryRowId) : ignored(`${event.name} ${event.payload.action} starts no runs`);
    default:
      return runRepositoryEvent(deps, github, event, deliveryRowId, digest);
  }
}

class NoGithubApp extends Error {
  override name = "NoGithubApp";
  constructor() {
    super("no GitHub App is configured on this worker (GANTRY_GITHUB_APP_ID, GANTRY_GITHUB_APP_PRIVATE_KEY, GANTRY_GITHUB_WEBHOOK_SECRET)");
  }
}

export async function processGithubDelivery(deps: GithubIntakeDeps, delivery: WebhookDelivery): Promise<IntakeResult> {
  const sys = deps.db.system("github intake settles its delivery");
  const parsed = parseWebhookEvent(delivery.event, delivery.payload);
  if (!parsed.ok) {
    // An event we do not handle is ignored; a handled one that does not parse is a failed delivery, with the reason.
    await intake.settleDelivery(sys, delivery.id, isHandledEvent(delivery.event) ? "FAILED" : "IGNORED", parsed.reason);
    return ignored(parsed.reason);
  }
  let result: IntakeResult;
  try {
    result = await processEvent(deps, parsed.event, delivery.id, payloadDigest(delivery.payload));
  } catch (error) {
    // A revoked installation token: forget the cached ones, and let the job's retry mint a fresh one.
    if (error instanceof GithubApiError && error.status === 401 && !error.path.startsWith("/app/")) {
      deps.github?.tokens.clear();
      throw error;
    }
    // Retryable GitHub trouble (5xx, rate limits) and platform errors: thrown, the delivery stays RECEIVED.
    const permanent = error instanceof NoGithubApp || (error instanceof GithubApiError && !error.retryable);
    if (!permanent) throw error;
    await intake.settleDelivery(sys, delivery.id, "FAILED", error.message);
    return ignored(error.message);
  }
  await intake.settleDelivery(sys, delivery.id, result.outcome, result.reason);
  return result;
}
