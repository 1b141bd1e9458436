"use server";
// The variables forms on the secrets page, through the variables procedures (maintainer checks included). The scope
// travels as the procedure's own scope object (JSON in one form field), checked by the same zod schema.
import { revalidatePath } from "next/cache";
import { z } from "zod";
import { variableScopeInput } from "../../../../server/routers/variables/variables.schema";
import { callFromPage } from "../call-from-page";

const scopeField = z
  .string()
  .transform((text, ctx) => {
    try {
      const scope: unknown = JSON.parse(text);
    return scope;
    } catch {
      ctx.addIssue({ code: "custom", message: "Choose where the variable lives." });
      return z.NEVER;
    }
  })
  .pipe(variableScopeInput);
const setForm = z.object({ tenant: z.string(), scope: scopeField, name: z.string(), value: z.string() });
const deleteForm = z.object({ tenant: z.string(), scope: scopeField, name: z.string() });

export async function setVariableFromPage(_previous: string | null, data: FormData): Promise<string | null> {
  const parsed = setForm.safeParse(Object.fromEntries(data));
  if (!parsed.success) return parsed.error.issues.map((issue) => issue.message).join(" ");
  const result = await callFromPage((caller) => caller.variables.set(parsed.data));
  if (result.ok) revalidatePath(`/t/${parsed.data.tenant}/secrets`);
  return result.ok ? null : result.error;
}

export async function deleteVariableFromPage(
  _previous: string | null,
  data: FormData,
): Promise<string | null> {
  const parsed = deleteForm.safeParse(Object.fromEntries(data));
  if (!parsed.success) return parsed.error.issues.map((issue) => issue.message).join(" ");
  const result = await callFromPage((caller) => caller.variables.delete(parsed.data));
  if (result.ok) revalidatePath(`/t/${parsed.data.tenant}/secrets`);
  return result.ok ? null : result.error;
}
