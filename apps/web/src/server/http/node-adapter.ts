// node:http ↔ fetch Request/Response, for the routes the web server answers before Next's router (server.ts).
import type { IncomingMessage, ServerResponse } from "node:http";

export class BodyTooLargeError extends Error {
  override name = "BodyTooLargeError";
}

/** Reads the body (refusing past maxBytes while reading, so an oversize body is never held) into a Request. */
export async function toWebRequest(req: IncomingMessage, maxBytes: number): Promise<Request> {
  const declared = Number(req.headers["content-length"] ?? "0");
  if (declared > maxBytes) throw new BodyTooLargeError(`declared ${declared} bytes`);
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of req) {
    const buffer = chunk as Buffer;
    total += buffer.length;
    if (total > maxBytes) throw new BodyTooLargeError(`more than ${maxBytes} bytes`);
    chunks.push(buffer);
  }
  const headers = new Headers();
  for (const [name, value] of Object.entries(req.headers)) {
    if (value === undefined) continue;
    for (const one of Array.isArray(value) ? value : [value]) headers.append(name, one);
  }
  const host = req.headers.host ?? "localhost";
  return new Request(`http://${host}${req.url ?? "/"}`, { method: req.method ?? "GET", headers, body: req.method === "GET" || req.method === "HEAD" ? null : Buffer.concat(chunks) });
}

export async function sendWebResponse(res: ServerResponse, response: Response): Promise<void> {
  const body = Buffer.from(await response.arrayBuffer());
  const headers: Record<string, string> = { "x-content-type-options": "nosniff", "content-length": String(body.length) };
  response.headers.forEach((value, name) => (headers[name] = value));
  res.writeHead(response.status, headers);
  res.end(body);
}
