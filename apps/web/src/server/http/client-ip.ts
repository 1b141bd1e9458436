// Who is calling, for sign-in rate limits and the audit log. A client can write any X-Forwarded-For it likes, and
// Next keeps a client's header (it only fills it in when absent), so it is believed only behind a proxy we were told
// about (GANTRY_TRUST_PROXY), and then only its last entry, the one that proxy appended. Otherwise the production
// server (server.ts) stamps the socket's address under PEER_IP_HEADER, overwriting whatever the client sent.

export const PEER_IP_HEADER = "x-gantry-peer-ip";

/** Header lookup by lower-case name: fetch Headers, node:http headers and next-auth's `req.headers` all fit. */
export type HeaderLookup = (name: string) => string | undefined;

export function headerLookup(headers: Headers | Record<string, unknown> | undefined): HeaderLookup {
  if (!headers) return () => undefined;
  if (headers instanceof Headers) return (name) => headers.get(name) ?? undefined;
  return (name) => {
    const value = headers[name];
    return typeof value === "string" ? value : Array.isArray(value) ? value.map(String).join(", ") : undefined;
  };
}

export function clientIp(header: HeaderLookup, trustProxy: boolean): string {
  const forwarded = (header("x-forwarded-for") ?? "").split(",").map((part) => part.trim()).filter(Boolean);
  if (trustProxy && forwarded.length > 0) return forwarded.at(-1) ?? "unknown";
  const peer = header(PEER_IP_HEADER)?.trim();
  if (peer) return peer;
  // `next dev` / `next start`: Next set X-Forwarded-For from the socket unless the client sent one (development only).
  return forwarded.at(-1) ?? "unknown";
}
