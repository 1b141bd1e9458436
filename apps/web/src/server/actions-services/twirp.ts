// Twirp over JSON, as the toolkit's generated clients speak it: POST /twirp/<package.Service>/<Method> with a JSON
// body in proto field names (snake_case; int64 as strings), answered 200 with JSON, or an error status with
// `{ "code": "<twirp code>", "msg": "…" }`.
import type { z } from "zod";
import { readBody } from "../runner-api/respond";

const STATUS: Record<string, number> = { invalid_argument: 400, unauthenticated: 401, permission_denied: 403, not_found: 404, already_exists: 409, failed_precondition: 412, resource_exhausted: 429, internal: 500 };

export const twirpError = (code: keyof typeof STATUS, msg: string) => Response.json({ code, msg }, { status: STATUS[code] ?? 500 });

/** The request body parsed by `schema`, or the twirp error to send. */
export async function twirpBody<T>(request: Request, schema: z.ZodType<T>): Promise<{ ok: true; value: T } | { ok: false; response: Response }> {
  const body = await readBody(request, schema);
  if (body.ok) return body;
  const detail = (await body.response.clone().json().catch(() => ({}))) as { error?: string; issues?: { path: string; message: string }[] };
  const issues = detail.issues?.map((issue) => `${issue.path}: ${issue.message}`).join("; ");
  return { ok: false, response: twirpError("invalid_argument", [detail.error ?? "Bad request body.", issues].filter(Boolean).join(" ")) };
}

/** A refusal from the shared layers (`{ error, code }` with an HTTP status) as a twirp error of the same status. */
export async function asTwirp(response: Response): Promise<Response> {
  const body = (await response.json().catch(() => ({}))) as { error?: string; code?: string };
  const code = Object.entries(STATUS).find(([, status]) => status === response.status)?.[0] ?? (response.status === 413 ? "resource_exhausted" : response.status === 409 ? "already_exists" : "internal");
  return Response.json({ code, msg: body.error ?? `HTTP ${response.status}`, meta: { gantry_code: body.code ?? "" } }, { status: response.status });
}
