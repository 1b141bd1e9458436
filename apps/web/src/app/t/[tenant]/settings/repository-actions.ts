"use server";
// A repository's workflow-folder toggles on the settings page: through repositories.setWorkflowFolders, so the
// maintainer check and the audit are the chain's.
import { TRPCError } from "@trpc/server";
import { revalidatePath } from "next/cache";
import { z } from "zod";
import { getSessionUser } from "../../../../server/auth";
import { serverCaller } from "../../../../server/caller";

// An unticked checkbox is simply absent from the form data.
const foldersForm = z.object({ tenant: z.string(), repositoryId: z.string(), readGantryWorkflows: z.literal("on").optional(), readGithubWorkflows: z.literal("on").optional() });

export interface FoldersFormState {
  ok: boolean;
  message: string;
}

export async function saveWorkflowFolders(_previous: FoldersFormState | null, data: FormData): Promise<FoldersFormState> {
  const parsed = foldersForm.safeParse(Object.fromEntries(data));
  if (!parsed.success) return { ok: false, message: "The form was incomplete." };
  const session = await getSessionUser();
  if (!session) return { ok: false, message: "Sign in first." };
  const { tenant, repositoryId } = parsed.data;
  try {
    await serverCaller(session).repositories.setWorkflowFolders({ tenant, repositoryId, readGantryWorkflows: parsed.data.readGantryWorkflows === "on", readGithubWorkflows: parsed.data.readGithubWorkflows === "on" });
  } catch (error) {
    if (error instanceof TRPCError) return { ok: false, message: error.message };
    throw error;
  }
  revalidatePath(`/t/${tenant}/settings`);
  return { ok: true, message: "Saved." };
}
