import { z } from "zod";

/** A manual or API run, as the web stores it in its WebhookDelivery (source "api", event "workflow_dispatch"). */
export const workflowDispatchPayload = z.object({
  /** The client's idempotency key: one run per key and repository. */
  idempotencyKey: z.string().min(1).max(200),
  workflowPath: z.string().min(1).max(500),
  ref: z.string().regex(/^refs\/(heads|tags)\/.+/, "ref must be refs/heads/… or refs/tags/…"),
  sha: z.string().regex(/^[0-9a-f]{40}$/, "sha must be a 40-hex commit id"),
  /** Already validated and typed against the workflow's declarations at `sha`. */
  inputs: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])),
  /** Who asked (the user's email), shown as the run's trigger. */
  actor: z.string().min(1).max(200),
});
export type WorkflowDispatchPayload = z.infer<typeof workflowDispatchPayload>;

/** The run's idempotency key: one per repository and client key (the run id derives from it). */
export const dispatchRunKey = (repositoryId: string, idempotencyKey: string) => `dispatch:${repositoryId}:${idempotencyKey}`;
