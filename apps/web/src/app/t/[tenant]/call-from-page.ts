// What the tenant pages' server actions share: the signed-in user's caller (the same procedures and role checks as
// /api/trpc), and a refusal turned into the sentence the form shows next to its button.
import { TRPCError } from "@trpc/server";
import { getSessionUser } from "../../../server/auth";
import { serverCaller } from "../../../server/caller";

export type PageCaller = ReturnType<typeof serverCaller>;

/** The procedure's answer, or the message to show: zod's issues (a JSON list) as their messages, joined. */
export async function callFromPage<T>(run: (caller: PageCaller) => Promise<T>): Promise<{ ok: true; value: T } | { ok: false; error: string }> {
  const session = await getSessionUser();
  if (!session) return { ok: false, error: "Sign in first." };
  try {
    return { ok: true, value: await run(serverCaller(session)) };
  } catch (error) {
    if (error instanceof TRPCError) return { ok: false, error: readable(error) };
    throw error;
  }
}

function readable(error: TRPCError): string {
  if (!error.message.startsWith("[")) return error.message;
  try {
    const issues: unknown = JSON.parse(error.message);
    if (Array.isArray(issues)) {
      const messages = issues.flatMap((issue: unknown) => (typeof issue === "object" && issue !== null && "message" in issue && typeof issue.message === "string" ? [issue.message] : []));
      if (messages.length > 0) return messages.join(" ");
    }
  } catch {
    // not JSON after all: shown as it is
  }
  return error.message;
}
