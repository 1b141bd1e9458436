"use server";
// The "Run workflow" form: through the same tRPC procedure (role check, input validation) as the API; on success
// straight to the run page (which waits for intake), else every problem back next to its field, with what was typed
// (React resets a form after its action: the form renders these values again).
import { randomUUID } from "node:crypto";
import { TRPCError } from "@trpc/server";
import { redirect } from "next/navigation";
import { z } from "zod";
import { getSessionUser } from "../../../../server/auth";
import { serverCaller } from "../../../../server/caller";
import { FieldErrors } from "../../../../server/trpc";
import { formInputs } from "./form-inputs";

export interface DispatchFormState {
  error: string | null;
  /** Input name (or "ref") → its problem. */
  fields: Record<string, string>;
  /** Kept across a refusal so a second submit of the same form is still one run. */
  idempotencyKey: string;
  /** What was submitted (inputs by name, and the ref), shown again after a refusal; null before the first submit. */
  submitted: { ref: string; inputs: Record<string, string | boolean> } | null;
  /** Counts the refusals, so the form's fields are rendered afresh with `submitted` each time. */
  refusals: number;
}

const form = z.object({ tenant: z.string(), repositoryId: z.string(), workflowPath: z.string(), ref: z.string(), idempotencyKey: z.string() });

export async function dispatchFromPage(previous: DispatchFormState, data: FormData): Promise<DispatchFormState> {
  const inputs = formInputs(data);
  const refused = (error: string, fields: Record<string, string> = {}): DispatchFormState => ({
    error,
    fields,
    idempotencyKey: randomUUID(),
    submitted: { ref: typeof data.get("ref") === "string" ? String(data.get("ref")) : "", inputs },
    refusals: previous.refusals + 1,
  });
  const session = await getSessionUser();
  if (!session) return refused("Your session ended: sign in again, then run the workflow.");
  const parsed = form.safeParse(Object.fromEntries([...data.entries()].filter(([name]) => !name.startsWith("input"))));
  if (!parsed.success) return refused("The form was incomplete.");
  const { tenant, repositoryId, workflowPath, ref, idempotencyKey } = parsed.data;
  let runId: string;
  try {
    ({ runId } = await serverCaller(session).runs.dispatch({ tenant, repositoryId, workflowPath, inputs, idempotencyKey, ...(ref.trim() ? { ref: ref.trim() } : {}) }));
  } catch (error) {
    if (error instanceof TRPCError && error.cause instanceof FieldErrors) {
      return refused("Some inputs need attention: see the messages under them.", Object.fromEntries(error.cause.fields.map((field) => [field.path.at(-1) ?? "", field.message])));
    }
    if (error instanceof TRPCError) return refused(error.message, /branch or tag/i.test(error.message) ? { ref: error.message } : {});
    throw error;
  }
  redirect(`/t/${tenant}/runs/${runId}`);
}
