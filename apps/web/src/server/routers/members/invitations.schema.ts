import { tenantInput } from "../../trpc";

export const listInvitationsInput = tenantInput;
