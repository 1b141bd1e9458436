import { z } from "zod";
import { tenantInput } from "../../trpc";

export const revokeInvitationInput = tenantInput.extend({ invitationId: z.string().min(1).max(64) });
export type RevokeInvitationInput = z.infer<typeof revokeInvitationInput>;
