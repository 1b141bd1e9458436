// Shared shapes of the runner API's answers and its bearer-token and JSON-body reading.
import { errorResponse } from "@gantry/runner-protocol";
import type { z } from "zod";
import { bodyTooLarge, readBoundedBody } from "../http/bounded-body";

export const MAX_BODY_BYTES = 1024 * 1024;

export function refuse(status: number, code: string, error: string, extra: Record<string, unknown> = {}): Response {
  return Response.json({ ...errorResponse.parse({ error, code }), ...extra }, { status });
}

export function bearer(request: Request): string | null {
  const header = request.headers.get("authorization");
  return (header ? /^Bearer\s+(\S+)\s*$/i.exec(header)?.[1] : undefined) ?? null;
}

/**
 * The body parsed by `schema`, or the refusal to send: 413 (the limit is enforced while reading, so call this
 * before any lookup that costs), 400 invalid_json, 400 invalid_body with issues.
 */
export async function readBody<T>(request: Request, schema: z.ZodType<T>, maxBytes = MAX_BODY_BYTES): Promise<{ ok: true; value: T } | { ok: false; response: Response }> {
  const bounded = await readBoundedBody(request, maxBytes);
  if (!bounded.ok) return { ok: false, response: bodyTooLarge(bounded.limit) };
  const text = bounded.bytes.toString("utf8");
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    return { ok: false, response: refuse(400, "invalid_json", "The body is not JSON.") };
  }
  const parsed = schema.safeParse(raw);
  if (!parsed.success) {
    return {
      ok: false,
      response: refuse(400, "invalid_body", "The body does not match the protocol.", {
        issues: parsed.error.issues.map((issue) => ({ path: issue.path.join("."), message: issue.message })),
      }),
    };
  }
  return { ok: true, value: parsed.data };
}
