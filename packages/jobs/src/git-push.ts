import { z } from "zod";

/** The body of a plain-git push notification (what scripts/git-hooks/post-receive sends, HMAC-signed). */
export const gitPushPayload = z.object({
  /** Repository full name within the git source, e.g. demo/hello. */
  repository: z.string().min(1),
  ref: z.string().regex(/^refs\/(heads|tags)\/.+/, "ref must be refs/heads/… or refs/tags/…"),
  before: z.string().regex(/^[0-9a-f]{40}$/, "before must be a 40-hex commit id"),
  after: z.string().regex(/^[0-9a-f]{40}$/, "after must be a 40-hex commit id"),
  pusher: z.string().max(200).optional(),
});
export type GitPushPayload = z.infer<typeof gitPushPayload>;
