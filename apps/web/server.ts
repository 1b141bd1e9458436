// The web app's production server: Next's request handler behind a node:http server that first offers each
// request to the fast paths (src/server/http/fast-paths.ts). Run: node --import tsx apps/web/server.ts [--port N] [--hostname H]
// after `next build` (what the up-command does). Env is checked at start by src/instrumentation.ts, as with `next start`.
import http from "node:http";
import path from "node:path";
import { fileURLToPath } from "node:url";
import next from "next";
import { PEER_IP_HEADER } from "./src/server/http/client-ip";
import { serveFastPath } from "./src/server/http/fast-paths";

function option(name: string, fallback: string): string {
  const at = process.argv.indexOf(`--${name}`);
  return at >= 0 ? (process.argv[at + 1] ?? fallback) : fallback;
}

const hostname = option("hostname", "127.0.0.1");
const port = Number(option("port", "3000"));
const dir = path.dirname(fileURLToPath(import.meta.url));
const log = (line: string) => console.error(`[web] ${line}`);

const app = next({ dev: false, dir, hostname, port });
const handle = app.getRequestHandler();
await app.prepare();
const server = http.createServer((req, res) => {
  // The socket's address, overwriting anything the client sent under this name (src/server/http/client-ip.ts).
  req.headers[PEER_IP_HEADER] = req.socket.remoteAddress ?? "unknown";
  if (serveFastPath(req, res, log)) return;
  void handle(req, res);
});
server.listen(port, hostname, () => console.log(`[web] ready on http://${hostname}:${port}`));
const stop = () => server.close(() => process.exit(0));
process.once("SIGTERM", stop);
process.once("SIGINT", stop);
