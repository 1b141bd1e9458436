import { z } from "zod";
import { tenantInput } from "../../trpc";

/** GitHub's repository_dispatch, from Gantry's API: runs the workflows `on: repository_dispatch` that take event_type. */
export const repositoryDispatchInput = tenantInput.extend({
  repositoryId: z.string().min(1).max(100),
  /** The activity type (`github.event.action`), matched against `types:`; GitHub's limit is 100 characters. */
  eventType: z.string().min(1, "event_type must not be empty").max(100, "event_type is at most 100 characters"),
  /** `github.event.client_payload`: any JSON object of at most 10 top-level properties (GitHub's limit). */
  clientPayload: z
    .record(z.string(), z.json())
    .refine((payload) => Object.keys(payload).length <= 10, "client_payload has at most 10 top-level properties")
    .refine((payload) => JSON.stringify(payload).length <= 64 * 1024, "client_payload is at most 64 KiB of JSON")
    .default({}),
  /** Same key, same event: a retried request starts its runs once. Default: a fresh key. */
  idempotencyKey: z.string().regex(/^[A-Za-z0-9._:-]{8,100}$/, "idempotencyKey must be 8–100 letters, digits, dots, dashes, colons or underscores").optional(),
});
export type RepositoryDispatchInput = z.infer<typeof repositoryDispatchInput>;
