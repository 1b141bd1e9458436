// Serves Next.js route handlers (exported POST, PUT or GET functions; a handler gets every method of its path) over a real HTTP server, so a real runner agent can
// talk to the real control-plane code without starting Next.
import http from "node:http";
import type { AddressInfo } from "node:net";

export type RouteHandler = (request: Request) => Promise<Response>;

/** A key ending in `*` serves every path under it (a Next.js catch-all route); the longest such prefix wins. */
function prefixRoute(routes: Record<string, RouteHandler>, pathname: string): RouteHandler | undefined {
  const prefixes = Object.keys(routes).filter((key) => key.endsWith("*") && pathname.startsWith(key.slice(0, -1)));
  const longest = prefixes.sort((a, b) => b.length - a.length)[0];
  return longest === undefined ? undefined : routes[longest];
}

/**
 * A handler that throws fails the test (an unhandled rejection), unless `onError` is given: then, as from Next, the
 * caller gets a 500 (and may retry) and `onError` sees the error — for tests that break the database on purpose.
 */
export async function serveRoutes(routes: Record<string, RouteHandler>, onError?: (error: unknown) => void): Promise<{ url: string; close(): Promise<void> }> {
  const server = http.createServer(async (incoming, outgoing) => {
    const chunks: Buffer[] = [];
    // Node's request chunks are Buffers already: kept as they are (a runner's logs batch is 2 MiB).
    for await (const chunk of incoming) chunks.push(chunk as Buffer);
    const url = new URL(incoming.url ?? "/", "http://127.0.0.1");
    const handler = routes[url.pathname] ?? prefixRoute(routes, url.pathname);
    if (!handler) {
      outgoing.writeHead(404).end();
      return;
    }
    const headers = new Headers();
    for (const [name, value] of Object.entries(incoming.headers)) if (typeof value === "string") headers.set(name, value);
    const method = incoming.method ?? "GET";
    const request = new Request(url, { method, headers, ...(method === "GET" || method === "HEAD" ? {} : { body: Buffer.concat(chunks) }) });
    const response = onError
      ? await handler(request).catch((error: unknown) => {
          onError(error);
          return new Response(error instanceof Error ? error.message : String(error), { status: 500 });
        })
      : await handler(request);
    outgoing.writeHead(response.status, Object.fromEntries(response.headers.entries()));
    outgoing.end(Buffer.from(await response.arrayBuffer()));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, close: () => new Promise((resolve) => server.close(() => resolve())) };
}
