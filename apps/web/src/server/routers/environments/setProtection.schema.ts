import type { z } from "zod";
import { environmentInput } from "./environment-input";
import { protectionRulesInput } from "./environment-fields";

export const setProtectionInput = environmentInput.extend(protectionRulesInput.shape);
export type SetProtectionInput = z.infer<typeof setProtectionInput>;
