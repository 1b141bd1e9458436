// The endpoints the web server answers itself, before Next's router: GitHub webhook deliveries. Their
// throughput is a product goal (issue #4: ≥ 2,000 deliveries/s), and Next's routing and the fetch Request/Response
// plumbing cost several times the handler itself (bench/intake.ts), so this path reads the body and writes the
// answer on node:http directly. The handler is the one the Next route calls, so both behave alike; `next dev` uses the route.
import type { IncomingMessage, ServerResponse } from "node:http";
import { acceptGithubDelivery, MAX_WEBHOOK_BYTES, tooLarge, type WebhookAnswer } from "../github/webhook";
import { getServices } from "../services";
import { BodyTooLargeError, readBody } from "./read-body";

const WEBHOOK_PATH = "/api/github/webhooks";

function send(res: ServerResponse, answer: WebhookAnswer, extraHeaders: Record<string, string> = {}): void {
  const body = Buffer.from(JSON.stringify(answer.body));
  res.writeHead(answer.status, { "content-type": "application/json", "content-length": String(body.length), "x-content-type-options": "nosniff", ...extraHeaders });
  res.end(body);
}

/** true when it handled the request (the response is then sent or being sent). */
export function serveFastPath(req: IncomingMessage, res: ServerResponse, log: (line: string) => void): boolean {
  if (req.method !== "POST" || (req.url ?? "").split("?")[0] !== WEBHOOK_PATH) return false;
  void (async () => {
    try {
      const body = await readBody(req, MAX_WEBHOOK_BYTES);
      const services = getServices();
      const header = (name: string) => {
        const value = req.headers[name];
        return Array.isArray(value) ? value.join(", ") : value;
      };
      const answer = await acceptGithubDelivery({ header, body }, {
        database: services.database,
        webhookSecret: services.githubApp.current()?.webhookSecret ?? null,
        deliveries: services.githubDeliveries(),
        log,
      });
      send(res, answer);
    } catch (error) {
      if (error instanceof BodyTooLargeError) {
        send(res, tooLarge(), { connection: "close" });
        req.destroy();
        return;
      }
      log(`github webhook failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
      if (!res.headersSent) send(res, { status: 500, body: { error: "internal error", code: "internal" } });
    }
  })();
  return true;
}
