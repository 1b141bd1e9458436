"use server";
// The run page's cancel buttons: through the same tRPC procedure (and role check) as the API.
import { TRPCError } from "@trpc/server";
import { revalidatePath } from "next/cache";
import { z } from "zod";
import { getSessionUser } from "../../../../../server/auth";
import { serverCaller } from "../../../../../server/caller";

const form = z.object({ tenant: z.string(), runId: z.string(), jobKey: z.string().optional() });

export async function cancelFromPage(_previous: string | null, data: FormData): Promise<string | null> {
  const session = await getSessionUser();
  if (!session) return "Sign in first.";
  const parsed = form.safeParse(Object.fromEntries(data));
  if (!parsed.success) return "The form was incomplete.";
  const { tenant, runId, jobKey } = parsed.data;
  try {
    await serverCaller(session).runs.cancel({ tenant, runId, ...(jobKey ? { jobKey } : {}) });
  } catch (error) {
    if (error instanceof TRPCError) return error.message;
    throw error;
  }
  revalidatePath(`/t/${tenant}/runs/${runId}`);
  return null;
}
