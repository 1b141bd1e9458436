import { tenantInput } from "../../trpc";

export const listMembersInput = tenantInput;
