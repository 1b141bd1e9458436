// POST /api/cli/token — `gantry login --email E --password-stdin`: a local account's email and password for a new
// API token. The password goes through exactly the sign-in form's check (authorizeCredentials: the same rate limits
// per account+address and per address, the same audit rows for every success and failure), so this is no side door
// around them. Answers: 201 with the token (in clear, once), 401 wrong credentials (one message for every reason, as
// the form), 429 rate limited, 400 a malformed request, 413 too large.
import type { Database } from "@gantry/db";
import { z } from "zod";
import { authorizeCredentials, SignInRateLimitedError } from "../auth";
import { readBoundedBody } from "../http/bounded-body";
import type { SignInRateLimiter } from "../sign-in/rate-limit";
import { createApiTokenInput } from "../routers/apiTokens/create.schema";
import { expiryAfterDays, issueApiToken } from "./issue";

const MAX_EXCHANGE_BYTES = 16 * 1024;

/** The token's fields as the dashboard's form has them, plus the credentials (checked by authorizeCredentials). */
export const passwordExchangeBody = createApiTokenInput.extend({ email: z.string().max(320), password: z.string().max(1024) });

export interface PasswordExchangeDeps {
  database: Database;
  limiter: SignInRateLimiter;
  ip: string;
  now?: () => Date;
}

const answer = (status: number, body: object) => Response.json(body, { status, headers: { "cache-control": "no-store" } });

export async function handlePasswordExchange(request: Request, deps: PasswordExchangeDeps): Promise<Response> {
  const bounded = await readBoundedBody(request, MAX_EXCHANGE_BYTES);
  if (!bounded.ok) return answer(413, { message: `A token request is at most ${MAX_EXCHANGE_BYTES} bytes.` });
  let json: unknown;
  try {
    json = JSON.parse(bounded.bytes.toString("utf8"));
  } catch {
    return answer(400, { message: "The body is not JSON." });
  }
  const body = passwordExchangeBody.safeParse(json);
  if (!body.success) return answer(400, { message: body.error.issues.map((issue) => `${issue.path.join(".") || "body"}: ${issue.message}`).join("; ") });
  let user;
  try {
    user = await authorizeCredentials(deps.database, { email: body.data.email, password: body.data.password }, { limiter: deps.limiter, ip: deps.ip });
  } catch (error) {
    if (error instanceof SignInRateLimitedError) return answer(429, { message: error.message });
    throw error;
  }
  if (!user) return answer(401, { message: "Wrong email or password (or the account signs in with GitHub only)." });
  const now = (deps.now ?? (() => new Date()))();
  const { name, scopes, expiresInDays } = body.data;
  const issued = await issueApiToken(deps.database, {
    userId: user.userId,
    name,
    scopes,
    expiresAt: expiryAfterDays(now, expiresInDays),
    via: "password",
    ip: deps.ip,
  });
  return answer(201, { ...issued, user: { email: user.email, name: user.name } });
}
