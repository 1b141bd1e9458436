// Who calls an HTTP route of the API: a bearer API token when the request carries one (the session cookie is then
// ignored, so a script's token never mixes with a browser's session), else the signed-in session.
import type { Database } from "@gantry/db";
import { getSessionUser, type SessionUser } from "../auth";
import { authenticateApiToken, bearerOf, type ApiTokenCaller } from "./authenticate";

export interface RequestCaller {
  session: SessionUser | null;
  /** Set when the caller is a token: what it may do. */
  apiToken: ApiTokenCaller | null;
  /** A token was offered and refused: why (the answer is UNAUTHORIZED with this message). */
  bearerRefusal: string | null;
}

export async function callerOfRequest(request: Request, database: Database, now = new Date()): Promise<RequestCaller> {
  const bearer = bearerOf(request.headers.get("authorization"));
  if (bearer === null) return { session: await getSessionUser(), apiToken: null, bearerRefusal: null };
  const result = await authenticateApiToken(database, bearer, now);
  return result.ok ? { session: result.user, apiToken: result.token, bearerRefusal: null } : { session: null, apiToken: null, bearerRefusal: result.message };
}
