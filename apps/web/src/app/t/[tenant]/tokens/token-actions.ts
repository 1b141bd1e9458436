"use server";
// The API tokens page's forms: apiTokens.create and apiTokens.revoke, so the checks and the audit are the procedures'.
// The form is read with the procedure's own schema (createApiTokenInput); each problem comes back on its field.
import { TRPCError } from "@trpc/server";
import { revalidatePath } from "next/cache";
import { z } from "zod";
import { getSessionUser } from "../../../../server/auth";
import { serverCaller } from "../../../../server/caller";
import { createApiTokenInput } from "../../../../server/routers/apiTokens/create.schema";
import { tokenFormFields, type TokenFormState } from "./token-form-fields";

/** Zod's issues as one message per field (the first for each), for the form to show beside the field. */
function fieldErrorsOf(issues: readonly { path: readonly PropertyKey[]; message: string }[]): Record<string, string> {
  const errors: Record<string, string> = {};
  for (const issue of issues) {
    const field = String(issue.path[0] ?? "form");
    errors[field] ??= issue.message;
  }
  return errors;
}

export async function createTokenFromPage(_previous: TokenFormState | null, data: FormData): Promise<TokenFormState> {
  const tenant = z.string().safeParse(data.get("tenant"));
  const input = createApiTokenInput.safeParse(tokenFormFields(data));
  if (!input.success) return { ok: false, fieldErrors: fieldErrorsOf(input.error.issues) };
  const session = await getSessionUser();
  if (!session) return { ok: false, fieldErrors: { form: "Sign in first." } };
  try {
    const created = await serverCaller(session).apiTokens.create(input.data);
    if (tenant.success) revalidatePath(`/t/${tenant.data}/tokens`);
    return { ok: true, token: created.token, name: created.name };
  } catch (error) {
    if (!(error instanceof TRPCError)) throw error;
    return { ok: false, fieldErrors: error.cause instanceof z.ZodError ? fieldErrorsOf(error.cause.issues) : { form: error.message } };
  }
}

const revokeForm = z.object({ tenant: z.string(), id: z.string() });

export async function revokeTokenFromPage(_previous: string | null, data: FormData): Promise<string | null> {
  const parsed = revokeForm.safeParse(Object.fromEntries(data));
  if (!parsed.success) return "The form was incomplete.";
  const session = await getSessionUser();
  if (!session) return "Sign in first.";
  try {
    await serverCaller(session).apiTokens.revoke({ id: parsed.data.id });
  } catch (error) {
    if (error instanceof TRPCError) return error.message;
    throw error;
  }
  revalidatePath(`/t/${parsed.data.tenant}/tokens`);
  return null;
}
