"use server";
// The settings page's second form: fork pull requests, default token permissions, the concurrency cap, the rate
// limit and (when the operator allows) the priority class, through tenants.updateSettings.
import { revalidatePath } from "next/cache";
import { numberOf, submit, text, type FormState } from "../../../../server/forms/form-state";
import { updateTenantSettingsInput } from "../../../../server/routers/tenants/updateSettings.schema";

export async function saveTenantPlan(_previous: FormState | null, data: FormData): Promise<FormState> {
  const tenant = text(data, "tenant") ?? "";
  const perSecond = numberOf(data, "ratePerSecond");
  const state = await submit(
    updateTenantSettingsInput,
    {
      tenant,
      forkPullRequests: text(data, "forkPullRequests"),
      defaultTokenPermissions: text(data, "defaultTokenPermissions"),
      maxConcurrentJobs: numberOf(data, "maxConcurrentJobs"),
      // Blank: no rate limit.
      rateLimit: perSecond === undefined ? null : { perSecond, burst: numberOf(data, "rateBurst") ?? 1 },
      ...(data.has("schedulingWeight") ? { schedulingWeight: numberOf(data, "schedulingWeight") } : {}),
    },
    async (caller, input) => void (await caller.tenants.updateSettings(input)),
    "Saved.",
  );
  if (state.ok) revalidatePath(`/t/${tenant}/settings`);
  // The rate limit's two inputs are one setting to the procedure.
  const fields = { ...state.fields };
  if (fields["rateLimit.perSecond"]) fields.ratePerSecond = fields["rateLimit.perSecond"];
  if (fields["rateLimit.burst"]) fields.rateBurst = fields["rateLimit.burst"];
  return { ...state, fields };
}
