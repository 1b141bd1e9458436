import { hashToken, type Invitation } from "@gantry/db";
import { TRPCError } from "@trpc/server";
import type { TRPCContext } from "../../trpc";

/** The invitation a link's token names, from any tenant (the token chose it); NOT_FOUND when none. */
export async function invitationByToken(ctx: TRPCContext, token: string): Promise<Invitation & { tenant: { slug: string; name: string } }> {
  const invitation = await ctx.database
    .system("invitations: the one an accept link's token names")
    .invitation.findUnique({ where: { tokenHash: hashToken(token) }, include: { tenant: { select: { slug: true, name: true } } } });
  if (!invitation) throw new TRPCError({ code: "NOT_FOUND", message: "No invitation has this link; it may have been mistyped. Ask an admin of the tenant for a new one." });
  return invitation;
}

/** Who is signed in, as an invitation compares them. */
export async function invitationUser(ctx: TRPCContext, userId: string) {
  return ctx.database.system("invitations: the signed-in user's email and GitHub login").user.findUniqueOrThrow({ where: { id: userId }, select: { email: true, githubLogin: true } });
}
