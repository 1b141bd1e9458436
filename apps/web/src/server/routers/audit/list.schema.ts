import { z } from "zod";
import { tenantInput } from "../../trpc";

export const AUDIT_PAGE_SIZE = 50;

const instant = z.iso.datetime({ offset: true, message: "a time is an ISO 8601 date and time, e.g. 2026-12-07T12:00:00Z" });

/** The filters the audit page's form and the API share; each optional, all combined. */
export const auditFilterInput = z.object({
  /** Only events by this actor (a user's or a runner's id). */
  actor: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, "an actor is a user's or runner's id").optional(),
  /** Only events with this action (e.g. auth.sign_in.failed), or a prefix ending in "." (membership.). */
  action: z.string().regex(/^[a-z0-9_.]{1,100}$/, "actions are dotted lower-case names").optional(),
  /** Only events about this kind of object (Membership, Invitation, Secret, Variable, RunnerPool, …). */
  targetType: z.string().regex(/^[A-Za-z]{1,64}$/, "an object type is a word such as Membership").optional(),
  /** …and this one object (its id as the log shows it). */
  targetId: z.string().min(1).max(300).optional(),
  /** From this time (inclusive) … */
  since: instant.optional(),
  /** … to this time (exclusive). */
  until: instant.optional(),
});
export type AuditFilterInput = z.infer<typeof auditFilterInput>;

export const listAuditInput = tenantInput
  .extend({
    /** The `nextCursor` of the previous page (an event id); absent: the newest events. */
    cursor: z.string().regex(/^\d{1,19}$/, "a cursor is an event id").optional(),
    limit: z.number().int().min(1).max(200).default(AUDIT_PAGE_SIZE),
  })
  .extend(auditFilterInput.shape)
  .refine((input) => !input.targetId || input.targetType, { message: "give the object's type with its id", path: ["targetType"] })
  .refine((input) => !input.since || !input.until || new Date(input.since) < new Date(input.until), { message: "the start of the time range is before its end", path: ["until"] });
export type ListAuditInput = z.infer<typeof listAuditInput>;
