// Events Gantry makes itself, stored as deliveries (source "gantry") in GitHub's payload shape, so that the stored
// payload is the run's `github.event` as on GitHub: `workflow_run` when a run is requested, starts and completes,
// and `repository_dispatch` from Gantry's API. The delivery id names the event's subject, so recording it twice
// records it once (DESIGN.md invariant 1).
import { z } from "zod";

/** GitHub: a workflow_run chain is at most this many levels of workflow_run runs beyond the first run. */
export const WORKFLOW_RUN_CHAIN_LIMIT = 3;
export const WORKFLOW_RUN_ACTIONS = ["requested", "in_progress", "completed"] as const;
export type WorkflowRunAction = (typeof WORKFLOW_RUN_ACTIONS)[number];

/** One delivery per (triggering run, run attempt, activity type): a re-run's attempt sends its events again. */
export const workflowRunDeliveryId = (runId: string, action: WorkflowRunAction, runAttempt = 1) =>
  runAttempt > 1 ? `workflow_run:${runId}:attempt-${runAttempt}:${action}` : `workflow_run:${runId}:${action}`;

/** The triggering run of a workflow_run delivery id (as given, or as stored: `gantry:<id>`), else undefined. */
export function triggeringRunOf(deliveryId: string): string | undefined {
  const match = /^(?:gantry:)?workflow_run:(.+?)(?::attempt-\d+)?:(requested|in_progress|completed)$/.exec(deliveryId);
  return match?.[1];
}

/** What intake reads of a stored workflow_run event (the rest of the payload is there for `github.event`). */
export const workflowRunEvent = z.object({
  action: z.enum(WORKFLOW_RUN_ACTIONS),
  workflow_run: z.object({
    id: z.string().min(1),
    name: z.string(),
    head_branch: z.string().nullable(),
    head_sha: z.string(),
    event: z.string(),
    run_number: z.number().int(),
    run_attempt: z.number().int().positive().default(1),
    conclusion: z.string().nullable(),
  }),
  sender: z.object({ login: z.string() }).optional(),
});
export type WorkflowRunEvent = z.infer<typeof workflowRunEvent>;

/** GitHub's `POST /repos/{owner}/{repo}/dispatches` body (event_type ≤ 100 characters, client_payload ≤ 10 top-level keys). */
export const repositoryDispatchBody = z.object({
  event_type: z.string().min(1, "event_type must not be empty").max(100, "event_type is at most 100 characters"),
  client_payload: z
    .record(z.string(), z.json())
    .refine((payload) => Object.keys(payload).length <= 10, "client_payload has at most 10 top-level properties")
    .optional(),
});
export type RepositoryDispatchBody = z.infer<typeof repositoryDispatchBody>;

/** What intake reads of a stored repository_dispatch event made by Gantry's API. */
export const repositoryDispatchEventPayload = z.object({
  action: z.string().min(1).max(100),
  client_payload: z.record(z.string(), z.unknown()).nullable().optional(),
  sender: z.object({ login: z.string() }).optional(),
});

/** A dispatch's delivery id: one per repository and client idempotency key. */
export const repositoryDispatchDeliveryId = (repositoryId: string, idempotencyKey: string) => `repository_dispatch:${repositoryId}:${idempotencyKey}`;
