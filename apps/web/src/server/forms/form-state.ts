// What a settings form's server action answers: the outcome, the procedure's message, and each refused field's
// message by its name (from the procedure's own zod issues or FieldErrors), so the form shows the server's error at
// the field it concerns. The form data goes to the tRPC procedure, whose input schema is the one validation.
import { TRPCError } from "@trpc/server";
import { z } from "zod";
import type { SessionUser } from "../auth";
import { getSessionUser } from "../auth";
import { serverCaller } from "../caller";
import { FieldErrors } from "../trpc";

export interface FormState<R = undefined> {
  ok: boolean;
  message: string;
  /** Field name (the input's path joined with '.', e.g. `memoryBytes`, `requiredReviewers.reviewers`) → its problem. */
  fields: Record<string, string>;
  result?: R;
}

const fieldKey = (path: readonly PropertyKey[]) => path.map(String).join(".");

/** The field messages a refused call carries; the first message per field wins. */
export function fieldsOf(error: TRPCError): Record<string, string> {
  return fieldsFromIssues(error.cause instanceof z.ZodError ? error.cause.issues : error.cause instanceof FieldErrors ? error.cause.fields : []);
}

const fieldsFromIssues = (issues: readonly { path: readonly PropertyKey[]; message: string }[]) => {
  const fields: Record<string, string> = {};
  for (const issue of issues) fields[fieldKey(issue.path)] ??= issue.message;
  return fields;
};

const NEEDS_ATTENTION = "Some fields need attention: see the messages below them.";

/**
 * Validates the form's values with the procedure's own input schema (so a refusal is shown at its field without a
 * round trip through tRPC), then calls the procedure with them; the procedure validates again, and checks the role.
 */
export async function submit<S extends z.ZodType, R>(schema: S, raw: unknown, call: (caller: ReturnType<typeof serverCaller>, input: z.output<S>) => Promise<R>, success: string | ((result: R) => string)): Promise<FormState<R>> {
  const parsed = schema.safeParse(raw);
  if (!parsed.success) return { ok: false, message: NEEDS_ATTENTION, fields: fieldsFromIssues(parsed.error.issues) };
  return callProcedure((caller) => call(caller, parsed.data), success);
}

/** Calls a procedure as the signed-in user and turns a refusal into a FormState (other errors are thrown). */
export async function callProcedure<R>(call: (caller: ReturnType<typeof serverCaller>, session: SessionUser) => Promise<R>, success: string | ((result: R) => string)): Promise<FormState<R>> {
  const session = await getSessionUser();
  if (!session) return { ok: false, message: "Your session ended: sign in again, then repeat the change.", fields: {} };
  try {
    const result = await call(serverCaller(session), session);
    return { ok: true, message: typeof success === "string" ? success : success(result), fields: {}, result };
  } catch (error) {
    if (!(error instanceof TRPCError)) throw error;
    const fields = fieldsOf(error);
    const message = Object.keys(fields).length > 0 ? NEEDS_ATTENTION : error.message;
    return { ok: false, message, fields };
  }
}

/** A form field's text, trimmed; absent or blank: undefined (the procedure's default or "unchanged"). */
export function text(data: FormData, name: string): string | undefined {
  const value = data.get(name);
  return typeof value === "string" && value.trim() !== "" ? value.trim() : undefined;
}

/** A list typed one a line or separated by commas. */
export function list(data: FormData, name: string): string[] {
  return (text(data, name) ?? "")
    .split(/[\n,]/)
    .map((entry) => entry.trim())
    .filter(Boolean);
}

/** A number field: the number, undefined when blank, or the raw text (which the schema then refuses at its field). */
export function numberOf(data: FormData, name: string): number | string | undefined {
  const value = text(data, name);
  if (value === undefined) return undefined;
  const parsed = Number(value);
  return Number.isFinite(parsed) ? parsed : value;
}
