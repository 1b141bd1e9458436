import { z } from "zod";
import { tenantInput } from "../../trpc";

export const updateTenantSettingsInput = tenantInput.extend({
  /** Script injection (`${{ github.event.pull_request.title }}` in `run:`) refuses the workflow instead of warning. */
  injectionIsError: z.boolean(),
});
export type UpdateTenantSettingsInput = z.infer<typeof updateTenantSettingsInput>;
