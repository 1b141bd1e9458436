import { attemptByJobTokenHash, hashToken, type Database } from "@gantry/db";
import { bearer, refuse } from "./respond";

/** The attempt a job token belongs to, or the 401 to send. The token names exactly one attempt. */
export async function attemptForToken(request: Request, database: Database, attemptId: string) {
  const token = bearer(request);
  if (!token) return { ok: false as const, response: refuse(401, "unauthorized", "Missing `Authorization: Bearer <job token>` header.") };
  const attempt = await attemptByJobTokenHash(database.sql("runner API: find the attempt by its job token"), hashToken(token));
  if (!attempt || attempt.id !== attemptId) return { ok: false as const, response: refuse(401, "unauthorized", "The job token does not belong to this attempt.") };
  return { ok: true as const, attempt };
}
