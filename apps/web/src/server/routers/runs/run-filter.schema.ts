// The run list's filters, shared by runs.list and runs.counts (and so by the Runs page and `gantry runs list`).
import { RUN_STATUSES } from "@gantry/db";
import { z } from "zod";

const trimmed = (max: number) => z.string().trim().min(1).max(max);

export const runFilterInput = z.object({
  /** Only this repository's runs (its full name, `owner/name`). */
  repository: trimmed(200).optional(),
  /** A branch or tag name (`main`, `v1.2`), or a whole ref (`refs/pull/7/merge`). */
  branch: trimmed(255).optional(),
  /** The triggering event, e.g. push, pull_request, workflow_dispatch, schedule. */
  event: z.string().regex(/^[a-z_]{1,64}$/, "an event is a GitHub event name such as push or pull_request").optional(),
  /** Only runs in this status. */
  status: z.enum(RUN_STATUSES).optional(),
  /** Who triggered the run (the pusher, the pull request's author, who dispatched it). */
  actor: trimmed(200).optional(),
  /** The workflow file: its path, or its file name with or without .yml (`ci`). */
  workflow: trimmed(300).optional(),
  /** A run number (`42`, `#42`), a commit (7–40 hex digits of its sha) or a piece of the workflow's name. */
  text: trimmed(200).optional(),
});
export type RunFilterInput = z.infer<typeof runFilterInput>;
