// POST /api/github/webhooks — GitHub App deliveries (DESIGN.md invariant 1). The signature is checked on the raw
// body in constant time before anything else (a refused delivery writes nothing); the delivery is stored under
// X-GitHub-Delivery and answered 202. Installation events are applied at once (the next delivery needs their
// tenant); everything else is left to the worker's intake job, queued best effort. Transport-neutral: the Next
// route (fetch Request) and the production server's fast path (node:http) both call acceptGithubDelivery.
import { intake, type Database } from "@gantry/db";
import { isHandledEvent, parseWebhookEvent, verifyWebhookSignature, SIGNATURE_HEADER, syncInstallation } from "@gantry/github";
import { z } from "zod";
import { readBoundedBody } from "../http/bounded-body";
import type { DeliveryWriter } from "./delivery-writer";

// JSON.parse only ever yields JSON, so a shallow "is an object" check is the whole question here (a deep z.json()
// walk of a 25 MB payload is CPU the hot path does not need); the worker validates each event's shape.
const jsonObject = z.record(z.string(), z.unknown()).transform((value) => value as Record<string, z.core.util.JSONType>);

// Which installation and repository the delivery names, for the store to resolve its tenant (unknown ids: none).
const routing = z.object({
  installation: z.object({ id: z.number().int().positive() }).optional(),
  repository: z.object({ id: z.number().int().positive() }).optional(),
});

/** GitHub caps webhook payloads at 25 MB. */
export const MAX_WEBHOOK_BYTES = 25 * 1024 * 1024;
const TOO_LARGE = `A webhook payload is at most ${MAX_WEBHOOK_BYTES} bytes (GitHub's own cap); the rest was not read.`;
const INSTALLATION_EVENTS = new Set(["installation", "installation_repositories"]);

export interface GithubWebhookDeps {
  database: Database;
  /** The App's webhook secret; null when no GitHub App is configured. */
  webhookSecret: string | null;
  deliveries: DeliveryWriter;
  log?: (line: string) => void;
}

/** A delivery as received: header lookup by lower-case name, and the raw body (read within MAX_WEBHOOK_BYTES). */
export interface WebhookDelivery {
  header(name: string): string | undefined;
  body: Buffer;
}

export interface WebhookAnswer {
  status: number;
  body: Record<string, unknown>;
}

function refuse(status: number, code: string, error: string): WebhookAnswer {
  return { status, body: { error, code } };
}

export const tooLarge = (): WebhookAnswer => refuse(413, "too_large", TOO_LARGE);
const notConfigured = (): WebhookAnswer =>
  refuse(503, "not_configured", "No GitHub App is configured here (GANTRY_GITHUB_APP_ID, GANTRY_GITHUB_APP_PRIVATE_KEY, GANTRY_GITHUB_WEBHOOK_SECRET).");

function githubIds(route: z.infer<typeof routing>): { installationId?: string; repositoryId?: string } {
  return {
    ...(route.installation ? { installationId: String(route.installation.id) } : {}),
    ...(route.repository ? { repositoryId: String(route.repository.id) } : {}),
  };
}

// Not awaited: the stored row is the durable record, so the answer need not wait for Redis. When Redis is slow or
// down the delivery is still stored, and the worker's sweep queues it (apps/worker intake sweep).
function enqueue(deps: GithubWebhookDeps, id: string): void {
  deps.deliveries.enqueueIntake(id).catch((error: unknown) => {
    deps.log?.(`github webhook: intake of ${id} not queued (the worker's sweep will): ${error instanceof Error ? error.message : String(error)}`);
  });
}

/** The Next route's entry: a fetch Request in, a Response out. The body is bounded while it is read. */
export async function handleGithubWebhook(request: Request, deps: GithubWebhookDeps): Promise<Response> {
  const answer = await (async () => {
    if (!deps.webhookSecret) return notConfigured();
    const bounded = await readBoundedBody(request, MAX_WEBHOOK_BYTES);
    if (!bounded.ok) return tooLarge();
    return acceptGithubDelivery({ header: (name) => request.headers.get(name) ?? undefined, body: bounded.bytes }, deps);
  })();
  return Response.json(answer.body, { status: answer.status, ...(answer.status === 413 ? { headers: { connection: "close" } } : {}) });
}

export async function acceptGithubDelivery(request: WebhookDelivery, deps: GithubWebhookDeps): Promise<WebhookAnswer> {
  if (!deps.webhookSecret) return notConfigured();
  const body = request.body;
  if (body.length > MAX_WEBHOOK_BYTES) return tooLarge();
  if (!(await verifyWebhookSignature(deps.webhookSecret, body, request.header(SIGNATURE_HEADER) ?? null))) {
    return refuse(401, "unauthorized", "X-Hub-Signature-256 is missing or does not verify with the App's webhook secret.");
  }
  const contentType = request.header("content-type") ?? "";
  if (!/^application\/json\b/i.test(contentType)) {
    return refuse(415, "unsupported_content_type", `Set the App's webhook content type to application/json (got ${contentType || "none"}).`);
  }
  const deliveryId = request.header("x-github-delivery")?.trim() ?? "";
  const event = request.header("x-github-event")?.trim() ?? "";
  if (!/^[A-Za-z0-9-]{8,100}$/.test(deliveryId)) return refuse(400, "invalid_delivery", "X-GitHub-Delivery is missing or not a delivery id.");
  if (!/^[a-z_]{1,64}$/.test(event)) return refuse(400, "invalid_event", "X-GitHub-Event is missing or not an event name.");
  const text = body.toString("utf8");
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return refuse(400, "invalid_json", "The body is not JSON.");
  }
  const object = jsonObject.safeParse(json);
  if (!object.success) return refuse(400, "invalid_json", "The body is not a JSON object.");
  const payload = object.data;
  const action = typeof payload.action === "string" ? payload.action : undefined;
  const route = INSTALLATION_EVENTS.has(event) ? undefined : routing.safeParse(payload).data;

  const stored = await deps.deliveries.record({
    deliveryId,
    source: "github",
    event,
    ...(action ? { action } : {}),
    ...(route ? { github: githubIds(route) } : {}),
    payload,
    payloadText: text,
  });
  const accepted = (): WebhookAnswer => ({ status: 202, body: { deliveryId: stored.id, duplicate: stored.duplicate } });
  if (stored.duplicate) return accepted();
  const sys = deps.database.system("github webhook: settle a delivery");

  if (!isHandledEvent(event)) {
    await intake.settleDelivery(sys, stored.id, "IGNORED", `GitHub event ${event} is not handled`);
    return accepted();
  }
  if (INSTALLATION_EVENTS.has(event)) {
    const parsed = parseWebhookEvent(event, payload);
    if (!parsed.ok) {
      await intake.settleDelivery(sys, stored.id, "FAILED", parsed.reason);
      return accepted();
    }
    const change = parsed.event;
    if (change.name === "installation" || change.name === "installation_repositories") {
      try {
        await syncInstallation(deps.database, change);
        await intake.settleDelivery(sys, stored.id, "PROCESSED");
        return accepted();
      } catch (error) {
        // Stored: the worker's intake applies it again from the row.
        deps.log?.(`github webhook: installation sync failed, left to the worker: ${error instanceof Error ? error.message : String(error)}`);
      }
    }
  }
  enqueue(deps, stored.id);
  return accepted();
}
