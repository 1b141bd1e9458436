// A fetch Request's body read with its size limit enforced while reading (issue #13 item 5). `request.text()`
// buffers everything first: a 1.5 GB chunked POST (no Content-Length) grew the process by half a gigabyte and
// died with ERR_STRING_TOO_LONG before any size check ran. Here the stream is cancelled the moment the limit is
// passed, so at most one chunk past the limit is ever held, and callers do this before any lookup that costs.

export type BoundedBody = { ok: true; bytes: Buffer } | { ok: false; limit: number };

/** The body as bytes, or `ok: false` as soon as it is known to be longer than maxBytes (declared or read). */
export async function readBoundedBody(request: Request, maxBytes: number): Promise<BoundedBody> {
  const declared = Number(request.headers.get("content-length") ?? "0");
  if (declared > maxBytes) {
    await request.body?.cancel().catch(() => undefined);
    return { ok: false, limit: maxBytes };
  }
  if (!request.body) return { ok: true, bytes: Buffer.alloc(0) };
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > maxBytes) {
      // Stop the sender: cancelling the stream destroys the socket's reading side in Next and node:http alike.
      await reader.cancel().catch(() => undefined);
      return { ok: false, limit: maxBytes };
    }
    chunks.push(value);
  }
  return { ok: true, bytes: chunks.length === 1 && chunks[0] ? Buffer.from(chunks[0].buffer, chunks[0].byteOffset, chunks[0].byteLength) : Buffer.concat(chunks) };
}

/** The JSON answer for a body over its limit, the same shape on every route. */
export function bodyTooLarge(limit: number, what = "A request body"): Response {
  return Response.json({ error: `${what} is at most ${limit} bytes; the rest was not read.`, code: "too_large", limitBytes: limit }, { status: 413, headers: { connection: "close" } });
}
