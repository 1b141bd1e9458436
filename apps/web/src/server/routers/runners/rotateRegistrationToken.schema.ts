import { z } from "zod";
import { tenantInput } from "../../trpc";

export const rotateRegistrationTokenInput = tenantInput.extend({ pool: z.string().min(1).max(100) });
export type RotateRegistrationTokenInput = z.infer<typeof rotateRegistrationTokenInput>;
