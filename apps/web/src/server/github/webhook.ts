// POST /api/github/webhooks — GitHub App deliveries (DESIGN.md invariant 1). The signature is checked on the raw
// body in constant time before anything else (a refused delivery writes nothing); the delivery is stored under
// X-GitHub-Delivery and answered 202. Installation events are applied at once (the next delivery needs their
// tenant); everything else is left to the worker's intake job, queued best effort.
import { intake, type Database } from "@gantry/db";
import { isHandledEvent, parseWebhookEvent, verifyWebhookSignature, SIGNATURE_HEADER, syncInstallation } from "@gantry/github";
import type { Queues } from "@gantry/jobs";
import { z } from "zod";
import { resolveOwner } from "./resolve";

// JSON.parse only ever yields JSON, so a shallow "is an object" check is the whole question here (a deep z.json()
// walk of a 25 MB payload is CPU the hot path does not need); the worker validates each event's shape.
const jsonObject = z.record(z.string(), z.unknown()).transform((value) => value as Record<string, z.core.util.JSONType>);

/** GitHub caps webhook payloads at 25 MB. */
export const MAX_WEBHOOK_BYTES = 25 * 1024 * 1024;
const ENQUEUE_TIMEOUT_MS = 2_000;
const INSTALLATION_EVENTS = new Set(["installation", "installation_repositories"]);

export interface GithubWebhookDeps {
  database: Database;
  /** The App's webhook secret; null when no GitHub App is configured. */
  webhookSecret: string | null;
  queues: Pick<Queues, "add">;
  log?: (line: string) => void;
}

function refuse(status: number, code: string, error: string): Response {
  return Response.json({ error, code }, { status });
}

async function enqueue(queues: GithubWebhookDeps["queues"], id: string): Promise<void> {
  // Best effort: when Redis is slow or down the delivery is still stored, and the worker's sweep queues it.
  await Promise.race([
    queues.add("intake", { deliveryId: id }, `intake-${id}`).catch(() => undefined),
    new Promise((resolve) => setTimeout(resolve, ENQUEUE_TIMEOUT_MS)),
  ]);
}

export async function handleGithubWebhook(request: Request, deps: GithubWebhookDeps): Promise<Response> {
  if (!deps.webhookSecret) return refuse(503, "not_configured", "No GitHub App is configured here (GANTRY_GITHUB_APP_ID, GANTRY_GITHUB_APP_PRIVATE_KEY, GANTRY_GITHUB_WEBHOOK_SECRET).");
  const declared = Number(request.headers.get("content-length") ?? "0");
  if (declared > MAX_WEBHOOK_BYTES) return refuse(413, "too_large", `A webhook payload is at most ${MAX_WEBHOOK_BYTES} bytes (GitHub's own cap).`);
  const body = Buffer.from(await request.arrayBuffer());
  if (body.length > MAX_WEBHOOK_BYTES) return refuse(413, "too_large", `A webhook payload is at most ${MAX_WEBHOOK_BYTES} bytes (GitHub's own cap).`);
  if (!verifyWebhookSignature(deps.webhookSecret, body, request.headers.get(SIGNATURE_HEADER))) {
    return refuse(401, "unauthorized", "X-Hub-Signature-256 is missing or does not verify with the App's webhook secret.");
  }
  const contentType = request.headers.get("content-type") ?? "";
  if (!/^application\/json\b/i.test(contentType)) {
    return refuse(415, "unsupported_content_type", `Set the App's webhook content type to application/json (got ${contentType || "none"}).`);
  }
  const deliveryId = request.headers.get("x-github-delivery")?.trim() ?? "";
  const event = request.headers.get("x-github-event")?.trim() ?? "";
  if (!/^[A-Za-z0-9-]{8,100}$/.test(deliveryId)) return refuse(400, "invalid_delivery", "X-GitHub-Delivery is missing or not a delivery id.");
  if (!/^[a-z_]{1,64}$/.test(event)) return refuse(400, "invalid_event", "X-GitHub-Event is missing or not an event name.");
  let json: unknown;
  try {
    json = JSON.parse(body.toString("utf8"));
  } catch {
    return refuse(400, "invalid_json", "The body is not JSON.");
  }
  const object = jsonObject.safeParse(json);
  if (!object.success) return refuse(400, "invalid_json", "The body is not a JSON object.");
  const payload = object.data;
  const action = typeof payload.action === "string" ? payload.action : undefined;

  const owner = INSTALLATION_EVENTS.has(event) ? {} : await resolveOwner(deps.database, payload);
  const sys = deps.database.system("github webhook: settle a delivery");
  const stored = await intake.recordDelivery(deps.database.sql("github webhook: store a verified delivery"), {
    deliveryId,
    source: "github",
    event,
    ...(action ? { action } : {}),
    ...owner,
    payload,
  });
  const answer = () => Response.json({ deliveryId: stored.id, duplicate: stored.duplicate }, { status: 202 });
  if (stored.duplicate) return answer();

  if (!isHandledEvent(event)) {
    await intake.settleDelivery(sys, stored.id, "IGNORED", `GitHub event ${event} is not handled`);
    return answer();
  }
  if (INSTALLATION_EVENTS.has(event)) {
    const parsed = parseWebhookEvent(event, payload);
    if (!parsed.ok) {
      await intake.settleDelivery(sys, stored.id, "FAILED", parsed.reason);
      return answer();
    }
    const change = parsed.event;
    if (change.name === "installation" || change.name === "installation_repositories") {
      try {
        await syncInstallation(deps.database, change);
        await intake.settleDelivery(sys, stored.id, "PROCESSED");
        return answer();
      } catch (error) {
        // Stored: the worker's intake applies it again from the row.
        deps.log?.(`github webhook: installation sync failed, left to the worker: ${error instanceof Error ? error.message : String(error)}`);
      }
    }
  }
  await enqueue(deps.queues, stored.id);
  return answer();
}
