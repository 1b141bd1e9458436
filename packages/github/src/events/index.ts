// The webhook events Gantry reads, by X-GitHub-Event name. Anything else is stored and ignored.
import type { z } from "zod";
import { checkRunEvent, checkSuiteEvent } from "./checks";
import { installationEvent, installationRepositoriesEvent } from "./installation";
import { pullRequestEvent } from "./pull-request";
import { pushEvent } from "./push";
import { DEFAULT_BRANCH_EVENTS, deploymentEvent, mergeGroupEvent, pullRequestReviewEvent, refEvent, releaseEvent, repositoryDispatchEvent, repositoryEvent } from "./repository-events";

export * from "./common";
export * from "./push";
export * from "./pull-request";
export * from "./installation";
export * from "./checks";
export * from "./repository-events";

export const webhookEventSchemas = {
  push: pushEvent,
  pull_request: pullRequestEvent,
  installation: installationEvent,
  installation_repositories: installationRepositoriesEvent,
  check_run: checkRunEvent,
  check_suite: checkSuiteEvent,
  ...(Object.fromEntries(DEFAULT_BRANCH_EVENTS.map((name) => [name, repositoryEvent])) as Record<(typeof DEFAULT_BRANCH_EVENTS)[number], typeof repositoryEvent>),
  release: releaseEvent,
  create: refEvent,
  delete: refEvent,
  pull_request_review: pullRequestReviewEvent,
  pull_request_review_comment: pullRequestReviewEvent,
  repository_dispatch: repositoryDispatchEvent,
  merge_group: mergeGroupEvent,
  deployment: deploymentEvent,
  deployment_status: deploymentEvent,
} as const;

export type HandledEventName = keyof typeof webhookEventSchemas;
export type WebhookEvent = { [K in HandledEventName]: { name: K; payload: z.infer<(typeof webhookEventSchemas)[K]> } }[HandledEventName];

export function isHandledEvent(name: string): name is HandledEventName {
  return Object.hasOwn(webhookEventSchemas, name);
}

function isDefaultBranchEvent(name: string): name is (typeof DEFAULT_BRANCH_EVENTS)[number] {
  return (DEFAULT_BRANCH_EVENTS as readonly string[]).includes(name);
}

export type ParsedWebhook = { ok: true; event: WebhookEvent } | { ok: false; reason: string };

const describe = (error: z.ZodError) => error.issues.map((issue) => `${issue.path.join(".") || "(body)"}: ${issue.message}`).join("; ");

function wrap<T>(result: z.ZodSafeParseResult<T>, make: (payload: T) => WebhookEvent): ParsedWebhook {
  return result.success ? { ok: true, event: make(result.data) } : { ok: false, reason: describe(result.error) };
}

/** Validates a payload against its event's schema; `ok: false` names every problem (or an unhandled event). */
export function parseWebhookEvent(name: string, payload: unknown): ParsedWebhook {
  switch (name) {
    case "push":
      return wrap(pushEvent.safeParse(payload), (p) => ({ name: "push", payload: p }));
    case "pull_request":
      return wrap(pullRequestEvent.safeParse(payload), (p) => ({ name: "pull_request", payload: p }));
    case "installation":
      return wrap(installationEvent.safeParse(payload), (p) => ({ name: "installation", payload: p }));
    case "installation_repositories":
      return wrap(installationRepositoriesEvent.safeParse(payload), (p) => ({ name: "installation_repositories", payload: p }));
    case "check_run":
      return wrap(checkRunEvent.safeParse(payload), (p) => ({ name: "check_run", payload: p }));
    case "check_suite":
      return wrap(checkSuiteEvent.safeParse(payload), (p) => ({ name: "check_suite", payload: p }));
    case "release":
      return wrap(releaseEvent.safeParse(payload), (p) => ({ name, payload: p }));
    case "create":
    case "delete":
      return wrap(refEvent.safeParse(payload), (p) => ({ name, payload: p }));
    case "pull_request_review":
    case "pull_request_review_comment":
      return wrap(pullRequestReviewEvent.safeParse(payload), (p) => ({ name, payload: p }));
    case "repository_dispatch":
      return wrap(repositoryDispatchEvent.safeParse(payload), (p) => ({ name, payload: p }));
    case "merge_group":
      return wrap(mergeGroupEvent.safeParse(payload), (p) => ({ name, payload: p }));
    case "deployment":
    case "deployment_status":
      return wrap(deploymentEvent.safeParse(payload), (p) => ({ name, payload: p }));
    default:
      if (isDefaultBranchEvent(name)) return wrap(repositoryEvent.safeParse(payload), (p) => ({ name, payload: p }));
      return { ok: false, reason: `event ${name} is not handled` };
  }
}
