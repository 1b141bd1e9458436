"use server";
// Accepting an invitation from its page: the invitations.accept procedure decides (the right user, still open);
// on success the new member lands in the tenant.
import { redirect } from "next/navigation";
import { z } from "zod";
import { getSessionUser } from "../../../server/auth";
import { serverCaller } from "../../../server/caller";
import { TRPCError } from "@trpc/server";

const acceptForm = z.object({ token: z.string() });

export async function acceptFromPage(_previous: string | null, data: FormData): Promise<string | null> {
  const parsed = acceptForm.safeParse(Object.fromEntries(data));
  if (!parsed.success) return "The form was incomplete.";
  const session = await getSessionUser();
  if (!session) return "Sign in first.";
  let tenant: string;
  try {
    tenant = (await serverCaller(session).invitations.accept({ token: parsed.data.token })).tenant;
  } catch (error) {
    if (error instanceof TRPCError) return error.message;
    throw error;
  }
  redirect(`/t/${tenant}`);
}
