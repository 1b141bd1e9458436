// The endpoints the web server answers itself, before Next's router: GitHub webhook deliveries. Their
// throughput is a product goal (issue #4: ≥ 2,000 deliveries/s), and Next's routing and web-stream plumbing
// cost several times the handler itself (bench/intake.ts measured ~4× fewer deliveries/s through it). The
// handler is the same function the Next route calls, so both paths behave alike; `next dev` uses the route.
import type { IncomingMessage, ServerResponse } from "node:http";
import { handleGithubWebhook, MAX_WEBHOOK_BYTES } from "../github/webhook";
import { getServices } from "../services";
import { BodyTooLargeError, sendWebResponse, toWebRequest } from "./node-adapter";

const WEBHOOK_PATH = "/api/github/webhooks";

/** true when it handled the request (the response is then sent or being sent). */
export function serveFastPath(req: IncomingMessage, res: ServerResponse, log: (line: string) => void): boolean {
  if (req.method !== "POST" || (req.url ?? "").split("?")[0] !== WEBHOOK_PATH) return false;
  void (async () => {
    try {
      const request = await toWebRequest(req, MAX_WEBHOOK_BYTES);
      const services = getServices();
      const response = await handleGithubWebhook(request, {
        database: services.database,
        webhookSecret: services.githubApp.current()?.webhookSecret ?? null,
        queues: services.queues,
        log,
      });
      await sendWebResponse(res, response);
    } catch (error) {
      if (error instanceof BodyTooLargeError) {
        await sendWebResponse(res, Response.json({ error: `A webhook payload is at most ${MAX_WEBHOOK_BYTES} bytes (GitHub's own cap).`, code: "too_large" }, { status: 413, headers: { connection: "close" } }));
        req.destroy();
        return;
      }
      log(`github webhook failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
      if (!res.headersSent) await sendWebResponse(res, Response.json({ error: "internal error", code: "internal" }, { status: 500 }));
    }
  })();
  return true;
}
