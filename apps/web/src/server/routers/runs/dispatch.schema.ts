import { z } from "zod";
import { tenantInput } from "../../trpc";

/** A manual or API run of one workflow (`workflow_dispatch`). */
export const dispatchRunInput = tenantInput.extend({
  repositoryId: z.string().min(1).max(100),
  workflowPath: z
    .string()
    .regex(/^\.(gantry|github)\/workflows\/[^/]+\.ya?ml$/, "workflowPath must be a .yml or .yaml file directly in .gantry/workflows or .github/workflows"),
  /** A branch or tag name (or refs/heads/…, refs/tags/…); default: the repository's default branch. */
  ref: z.string().min(1).max(250).optional(),
  inputs: z.record(z.string().min(1).max(100), z.union([z.string().max(65_536), z.number(), z.boolean()])).default({}),
  /** Same key, same run: a double-click or a retried request makes one run. Default: a fresh key (a new run). */
  idempotencyKey: z.string().regex(/^[A-Za-z0-9._:-]{8,100}$/, "idempotencyKey must be 8–100 letters, digits, dots, dashes, colons or underscores").optional(),
});
export type DispatchRunInput = z.infer<typeof dispatchRunInput>;
