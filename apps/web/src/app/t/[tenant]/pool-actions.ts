"use server";
// The runner pools panel's form: rotating a pool's registration token through the same tRPC procedure (and admin
// check) as the API. The new token is answered once, to the page that asked, and never shown again.
import { TRPCError } from "@trpc/server";
import { z } from "zod";
import { getSessionUser } from "../../../server/auth";
import { serverCaller } from "../../../server/caller";

const rotateForm = z.object({ tenant: z.string(), pool: z.string() });

export type RotateTokenState = { token: string; error?: never } | { error: string; token?: never } | null;

export async function rotateTokenFromPage(_previous: RotateTokenState, data: FormData): Promise<RotateTokenState> {
  const parsed = rotateForm.safeParse(Object.fromEntries(data));
  if (!parsed.success) return { error: "The form was incomplete." };
  const session = await getSessionUser();
  if (!session) return { error: "Sign in first." };
  try {
    const { token } = await serverCaller(session).runners.rotateRegistrationToken(parsed.data);
    return { token };
  } catch (error) {
    if (error instanceof TRPCError) return { error: error.message };
    throw error;
  }
}
