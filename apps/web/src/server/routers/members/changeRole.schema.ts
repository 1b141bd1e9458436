import { z } from "zod";
import { tenantInput } from "../../trpc";
import { roleInput } from "./invite.schema";

export const changeRoleInput = tenantInput.extend({ userId: z.string().min(1).max(64), role: roleInput });
export type ChangeRoleInput = z.infer<typeof changeRoleInput>;
