"use server";
// The members page's forms, through the members procedures (admin checks included). An invitation's link is
// returned to the form that made it, once.
import { revalidatePath } from "next/cache";
import { z } from "zod";
import { roleInput } from "../../../../server/routers/members/invite.schema";
import { callFromPage } from "../call-from-page";

export type InviteState = { error: string | null; path: string | null; invitee: string | null };

const inviteForm = z.object({ tenant: z.string(), kind: z.enum(["email", "github"]), address: z.string(), role: roleInput });
const memberForm = z.object({ tenant: z.string(), userId: z.string(), role: roleInput.optional() });
const invitationForm = z.object({ tenant: z.string(), invitationId: z.string() });

export async function inviteFromPage(_previous: InviteState, data: FormData): Promise<InviteState> {
  const parsed = inviteForm.safeParse(Object.fromEntries(data));
  if (!parsed.success) return { error: parsed.error.issues.map((issue) => issue.message).join(" "), path: null, invitee: null };
  const { tenant, kind, address, role } = parsed.data;
  const invitee = kind === "email" ? { kind, email: address } : { kind, githubLogin: address.replace(/^@/, "") };
  const result = await callFromPage((caller) => caller.members.invite({ tenant, invitee, role }));
  if (!result.ok) return { error: result.error, path: null, invitee: null };
  revalidatePath(`/t/${tenant}/members`);
  return { error: null, path: result.value.path, invitee: address };
}

export async function changeRoleFromPage(_previous: string | null, data: FormData): Promise<string | null> {
  const parsed = memberForm.safeParse(Object.fromEntries(data));
  if (!parsed.success || !parsed.data.role) return "The form was incomplete.";
  const { tenant, userId, role } = parsed.data;
  const result = await callFromPage((caller) => caller.members.changeRole({ tenant, userId, role }));
  if (result.ok) revalidatePath(`/t/${tenant}/members`);
  return result.ok ? null : result.error;
}

export async function removeMemberFromPage(_previous: string | null, data: FormData): Promise<string | null> {
  const parsed = memberForm.safeParse(Object.fromEntries(data));
  if (!parsed.success) return "The form was incomplete.";
  const { tenant, userId } = parsed.data;
  const result = await callFromPage((caller) => caller.members.remove({ tenant, userId }));
  if (result.ok) revalidatePath(`/t/${tenant}/members`);
  return result.ok ? null : result.error;
}

export async function revokeInvitationFromPage(_previous: string | null, data: FormData): Promise<string | null> {
  const parsed = invitationForm.safeParse(Object.fromEntries(data));
  if (!parsed.success) return "The form was incomplete.";
  const { tenant, invitationId } = parsed.data;
  const result = await callFromPage((caller) => caller.members.revokeInvitation({ tenant, invitationId }));
  if (result.ok) revalidatePath(`/t/${tenant}/members`);
  return result.ok ? null : result.error;
}
