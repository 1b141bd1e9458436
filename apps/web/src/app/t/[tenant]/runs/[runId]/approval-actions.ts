"use server";
// The run page's approve/reject buttons: a form posts here, the decision goes through the same tRPC procedure
// (and its checks) as the API, and the page re-renders with the outcome.
import { TRPCError } from "@trpc/server";
import { revalidatePath } from "next/cache";
import { z } from "zod";
import { getSessionUser } from "../../../../../server/auth";
import { serverCaller } from "../../../../../server/caller";

const form = z.object({ tenant: z.string(), runId: z.string(), approvalId: z.string(), decision: z.enum(["approve", "reject"]), comment: z.string().optional() });

export async function decideApproval(_previous: string | null, data: FormData): Promise<string | null> {
  const session = await getSessionUser();
  if (!session) return "Sign in first.";
  const parsed = form.safeParse(Object.fromEntries(data));
  if (!parsed.success) return "The form was incomplete.";
  const { tenant, runId, approvalId, decision, comment } = parsed.data;
  try {
    await serverCaller(session).approvals.decide({ tenant, approvalId, decision, ...(comment?.trim() ? { comment } : {}) });
  } catch (error) {
    if (error instanceof TRPCError) return error.message;
    throw error;
  }
  revalidatePath(`/t/${tenant}/runs/${runId}`);
  // The same form serves the tenant's inbox (settings/approvals).
  revalidatePath(`/t/${tenant}/settings/approvals`);
  return null;
}
