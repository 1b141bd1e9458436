import { z } from "zod";
import { tenantInput } from "../../trpc";
import { configurationName, secretScopeInput } from "../secrets/secrets.schema";

/** Variables live where secrets do: the tenant, a repository, or one of its environments (the narrowest wins). */
export const variableScopeInput = secretScopeInput;
export const variableName = configurationName("variable");
export const MAX_VARIABLE_BYTES = 48 * 1024;

export const setVariableInput = tenantInput.extend({
  scope: variableScopeInput,
  name: variableName,
  value: z.string().min(1, "A variable needs a value.").refine((value) => Buffer.byteLength(value) <= MAX_VARIABLE_BYTES, `A variable is at most ${MAX_VARIABLE_BYTES} bytes.`),
});
export const deleteVariableInput = tenantInput.extend({ scope: variableScopeInput, name: variableName });
export type SetVariableInput = z.infer<typeof setVariableInput>;
export type DeleteVariableInput = z.infer<typeof deleteVariableInput>;
