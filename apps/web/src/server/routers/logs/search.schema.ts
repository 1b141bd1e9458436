import { z } from "zod";
import { tenantInput } from "../../trpc";

const trimmed = (max: number) => z.string().trim().min(1).max(max);
/** A day (`2026-12-07`) or a moment (ISO 8601). */
const when = z.union([z.iso.date(), z.iso.datetime({ offset: true })], { error: "a date is YYYY-MM-DD or an ISO 8601 time" });

export const searchLogsInput = tenantInput.extend({
  /** Words a line must all contain (case-insensitive, anywhere in the line); "quoted phrases" as they are. */
  query: trimmed(500),
  /** Only this repository's runs (`owner/name`). */
  repository: trimmed(200).optional(),
  /** A branch or tag name, or a whole ref. */
  branch: trimmed(255).optional(),
  /** The workflow file: its path, or its file name with or without .yml (`ci`). */
  workflow: trimmed(300).optional(),
  /** The job's key in the run (`build`, `test (20)`). */
  job: trimmed(300).optional(),
  /** Runs created on or after this day (UTC) or moment. */
  from: when.optional(),
  /** Runs created on or before this day (UTC, the whole day) or before this moment. */
  to: when.optional(),
  limit: z.number().int().min(1).max(100).default(25),
  /** The `nextCursor` of the previous page. */
  cursor: z.string().regex(/^[0-9]{1,19}$/, "a cursor is the nextCursor of an earlier page").optional(),
});
export type SearchLogsInput = z.infer<typeof searchLogsInput>;
