"use server";
// The run page's approve/cancel buttons for a fork's held run: through the same tRPC procedures (and role check)
// as the API.
import { TRPCError } from "@trpc/server";
import { revalidatePath } from "next/cache";
import { z } from "zod";
import { getSessionUser } from "../../../../../server/auth";
import { serverCaller } from "../../../../../server/caller";

const form = z.object({ tenant: z.string(), runId: z.string(), decision: z.enum(["approve", "reject"]) });

export async function decideForkRun(_previous: string | null, data: FormData): Promise<string | null> {
  const session = await getSessionUser();
  if (!session) return "Sign in first.";
  const parsed = form.safeParse(Object.fromEntries(data));
  if (!parsed.success) return "The form was incomplete.";
  const { tenant, runId, decision } = parsed.data;
  const runs = serverCaller(session).runs;
  try {
    if (decision === "approve") await runs.approveFork({ tenant, runId });
    else await runs.rejectFork({ tenant, runId });
  } catch (error) {
    if (error instanceof TRPCError) return error.message;
    throw error;
  }
  revalidatePath(`/t/${tenant}/runs/${runId}`);
  return null;
}
