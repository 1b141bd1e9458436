import { Role } from "@gantry/db";
import { z } from "zod";
import { tenantInput } from "../../trpc";

/** GitHub's login rules: letters, digits and single dashes, not at either end, up to 39 characters. */
export const githubLogin = z
  .string()
  .trim()
  .regex(/^[A-Za-z0-9](?:[A-Za-z0-9]|-(?=[A-Za-z0-9])){0,38}$/, "A GitHub login is letters, digits and single dashes (not first or last), up to 39 characters.");

export const roleInput = z.enum([Role.VIEWER, Role.DEVELOPER, Role.MAINTAINER, Role.ADMIN], { message: "The role is one of VIEWER, DEVELOPER, MAINTAINER, ADMIN." });

/** Whom to invite: an email address or a GitHub login (one of them). */
export const inviteeInput = z.discriminatedUnion("kind", [
  z.object({ kind: z.literal("email"), email: z.string().trim().toLowerCase().email("Give an email address such as ada@example.com.").max(320) }),
  z.object({ kind: z.literal("github"), githubLogin }),
]);

export const inviteMemberInput = tenantInput.extend({ invitee: inviteeInput, role: roleInput });
export type InviteMemberInput = z.infer<typeof inviteMemberInput>;
