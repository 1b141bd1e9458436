import { z } from "zod";
import { tenantInput } from "../../trpc";

export const AUDIT_PAGE_SIZE = 50;

export const listAuditInput = tenantInput.extend({
  /** The `nextCursor` of the previous page (an event id); absent: the newest events. */
  cursor: z.string().regex(/^\d{1,19}$/, "a cursor is an event id").optional(),
  limit: z.number().int().min(1).max(200).default(AUDIT_PAGE_SIZE),
  /** Only events with this action (e.g. auth.sign_in.failed). */
  action: z.string().regex(/^[a-z0-9_.]{1,100}$/, "actions are dotted lower-case names").optional(),
});
export type ListAuditInput = z.infer<typeof listAuditInput>;
