"use server";
// The run page's re-run buttons: through the same tRPC procedure (its role check, its refusals) as the API.
import { TRPCError } from "@trpc/server";
import { revalidatePath } from "next/cache";
import { getSessionUser } from "../../../../../server/auth";
import { serverCaller } from "../../../../../server/caller";
import { rerunRunInput } from "../../../../../server/routers/runs/rerun.schema";

export async function rerunFromPage(_previous: string | null, data: FormData): Promise<string | null> {
  const session = await getSessionUser();
  if (!session) return "Sign in first.";
  // The procedure's own schema: a form that is not a re-run request is refused before anything is called.
  const parsed = rerunRunInput.safeParse(Object.fromEntries([...data].filter(([name, value]) => !name.startsWith("$") && value !== "")));
  if (!parsed.success) return "The form was incomplete.";
  try {
    await serverCaller(session).runs.rerun(parsed.data);
  } catch (error) {
    if (error instanceof TRPCError) return error.message;
    throw error;
  }
  revalidatePath(`/t/${parsed.data.tenant}/runs/${parsed.data.runId}`);
  return null;
}
