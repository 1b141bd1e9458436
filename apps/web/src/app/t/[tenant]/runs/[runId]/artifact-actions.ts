"use server";
// The run page's artifact delete button: through artifacts.delete (maintainer or admin, checked there).
import { TRPCError } from "@trpc/server";
import { revalidatePath } from "next/cache";
import { z } from "zod";
import { getSessionUser } from "../../../../../server/auth";
import { serverCaller } from "../../../../../server/caller";

const form = z.object({ tenant: z.string(), runId: z.string(), name: z.string() });

export async function deleteArtifactFromPage(_previous: string | null, data: FormData): Promise<string | null> {
  const session = await getSessionUser();
  if (!session) return "Sign in first.";
  const parsed = form.safeParse(Object.fromEntries(data));
  if (!parsed.success) return "The form was incomplete.";
  try {
    await serverCaller(session).artifacts.delete(parsed.data);
  } catch (error) {
    if (error instanceof TRPCError) return error.message;
    throw error;
  }
  revalidatePath(`/t/${parsed.data.tenant}/runs/${parsed.data.runId}`);
  return null;
}
