"use server";
// The "Run workflow" form: through the same tRPC procedure (role check, input validation) as the API; on success
// straight to the run page (which waits for intake), else every problem back next to its field.
import { randomUUID } from "node:crypto";
import { TRPCError } from "@trpc/server";
import { redirect } from "next/navigation";
import { z } from "zod";
import { getSessionUser } from "../../../../server/auth";
import { serverCaller } from "../../../../server/caller";
import { FieldErrors } from "../../../../server/trpc";

export interface DispatchFormState {
  error: string | null;
  fields: Record<string, string>;
  /** Kept across a refusal so a second submit of the same form is still one run. */
  idempotencyKey: string;
}

const form = z.object({ tenant: z.string(), repositoryId: z.string(), workflowPath: z.string(), ref: z.string(), idempotencyKey: z.string() });

export async function dispatchFromPage(previous: DispatchFormState, data: FormData): Promise<DispatchFormState> {
  const session = await getSessionUser();
  if (!session) return { ...previous, error: "Sign in first.", fields: {} };
  const parsed = form.safeParse(Object.fromEntries([...data.entries()].filter(([name]) => !name.startsWith("input:"))));
  if (!parsed.success) return { ...previous, error: "The form was incomplete.", fields: {} };
  const { tenant, repositoryId, workflowPath, ref, idempotencyKey } = parsed.data;
  // Inputs arrive as strings ("input:<name>"); an unchecked checkbox sends nothing, hence "input-bool:<name>" markers.
  const inputs: Record<string, string | boolean> = {};
  for (const [name, value] of data.entries()) {
    if (name.startsWith("input:") && typeof value === "string") inputs[name.slice(6)] = value;
    if (name.startsWith("input-bool:")) inputs[name.slice(11)] = data.get(`input:${name.slice(11)}`) === "on";
  }
  let runId: string;
  try {
    ({ runId } = await serverCaller(session).runs.dispatch({ tenant, repositoryId, workflowPath, inputs, idempotencyKey, ...(ref.trim() ? { ref: ref.trim() } : {}) }));
  } catch (error) {
    if (error instanceof TRPCError && error.cause instanceof FieldErrors) {
      return { error: "Some inputs need attention.", fields: Object.fromEntries(error.cause.fields.map((field) => [field.path.at(-1) ?? "", field.message])), idempotencyKey: randomUUID() };
    }
    if (error instanceof TRPCError) return { error: error.message, fields: {}, idempotencyKey: randomUUID() };
    throw error;
  }
  redirect(`/t/${tenant}/runs/${runId}`);
}
