"use server";
// The settings page's form: through tenants.updateSettings, so the admin check and the audit are the chain's.
import { TRPCError } from "@trpc/server";
import { revalidatePath } from "next/cache";
import { z } from "zod";
import type { ActionsPolicy } from "@gantry/workflow-schema";
import { getSessionUser } from "../../../../server/auth";
import { serverCaller } from "../../../../server/caller";
import { roleInput } from "../../../../server/routers/members/invite.schema";
import { actionsPolicyFromForm } from "./actions-policy-form";

// An unticked checkbox is simply absent from the form data.
const settingsForm = z.object({
  tenant: z.string(),
  injectionIsError: z.literal("on").optional(),
  actionsPolicy: z.enum(["all", "github-owned", "list"]),
  actionPatterns: z.string().optional(),
  // "" (the first choice): only by invitation.
  githubOrgJoinRole: z.union([z.literal(""), roleInput]).default(""),
});

export interface SettingsFormState {
  ok: boolean;
  message: string;
}

export async function saveTenantSettings(_previous: SettingsFormState | null, data: FormData): Promise<SettingsFormState> {
  const parsed = settingsForm.safeParse(Object.fromEntries(data));
  if (!parsed.success) return { ok: false, message: "The form was incomplete." };
  const policy: { policy: ActionsPolicy } | { problem: string } = actionsPolicyFromForm(parsed.data.actionsPolicy, parsed.data.actionPatterns ?? "");
  if ("problem" in policy) return { ok: false, message: policy.problem };
  const session = await getSessionUser();
  if (!session) return { ok: false, message: "Sign in first." };
  const { tenant } = parsed.data;
  try {
    await serverCaller(session).tenants.updateSettings({ tenant, injectionIsError: parsed.data.injectionIsError === "on", allowedActions: policy.policy, githubOrgJoinRole: parsed.data.githubOrgJoinRole || null });
  } catch (error) {
    if (error instanceof TRPCError) return { ok: false, message: error.message };
    throw error;
  }
  revalidatePath(`/t/${tenant}/settings`);
  return { ok: true, message: "Saved." };
}
