// A route handler whose body is bounded before the handler sees it: for the handlers we do not own (tRPC's fetch
// adapter and next-auth read `request.json()`/`formData()` whole). The bytes read are handed on in a new Request.
import { bodyTooLarge, readBoundedBody } from "./bounded-body";

/** tRPC inputs are small forms and ids; a workflow_dispatch with every input filled stays far below this. */
export const MAX_TRPC_BODY_BYTES = 1024 * 1024;
/** A sign-in form: an email, a password (≤ 1 KB), a CSRF token and a callback URL. */
export const MAX_AUTH_BODY_BYTES = 16 * 1024;

export function withBodyLimit<Rest extends unknown[]>(maxBytes: number, handler: (request: Request, ...rest: Rest) => Promise<Response>) {
  return async (request: Request, ...rest: Rest): Promise<Response> => {
    if (request.method === "GET" || request.method === "HEAD") return handler(request, ...rest);
    const body = await readBoundedBody(request, maxBytes);
    if (!body.ok) return bodyTooLarge(body.limit);
    return handler(new Request(request, { body: new Uint8Array(body.bytes) }), ...rest);
  };
}
