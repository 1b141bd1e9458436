import { z } from "zod";

/** The token of an accept link (`/invite/<token>`): ginv_ and 43 base64url characters. */
export const invitationToken = z.string().regex(/^ginv_[A-Za-z0-9_-]{43}$/, "That is not an invitation link's token; copy the whole link from the invitation.");
export const invitationByTokenInput = z.object({ token: invitationToken });
export type InvitationByTokenInput = z.infer<typeof invitationByTokenInput>;
