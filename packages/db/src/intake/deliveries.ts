// Webhook and push-notification deliveries (DESIGN.md invariant 1): stored before anything else happens,
// processed from the stored row, and a redelivery of the same id is recognised, not stored twice.
import type { Prisma } from "../generated/prisma/client";
import type { RawPrismaClient, SqlClient } from "../client";
import { deterministicId } from "../ids";

export interface DeliveryInput {
  /** GitHub's X-GitHub-Delivery, the id our push notifier sends, or one derived from an API client's idempotency key. */
  deliveryId: string;
  /** "api": a manual or API run (workflow_dispatch) recorded by the web. */
  source: "github" | "git" | "api";
  event: string;
  action?: string;
  tenantId?: string;
  repositoryId?: string;
  payload: Prisma.InputJsonValue;
}

/**
 * Stores the delivery; `duplicate: true` when this delivery id was stored before (nothing is written then).
 * One plain INSERT … ON CONFLICT DO NOTHING: this is the webhook endpoint's hot path, and Prisma's query
 * compiler costs several times the CPU of the insert itself for a payload of a few kilobytes (bench/intake.ts).
 */
export async function recordDelivery(sql: SqlClient, input: DeliveryInput): Promise<{ id: string; duplicate: boolean }> {
  const id = deterministicId("dlv", input.source, input.deliveryId);
  const { rowCount } = await sql.query(
    `INSERT INTO "WebhookDelivery" (id, "deliveryId", source, event, action, "tenantId", "repositoryId", payload)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8::jsonb) ON CONFLICT DO NOTHING`,
    [id, `${input.source}:${input.deliveryId}`, input.source, input.event, input.action ?? null, input.tenantId ?? null, input.repositoryId ?? null, JSON.stringify(input.payload)],
  );
  return { id, duplicate: rowCount === 0 };
}

export type DeliveryOutcome = "PROCESSED" | "IGNORED" | "FAILED";

/** RECEIVED → an outcome, once; a second intake of the same delivery finds it settled and does nothing. */
export async function settleDelivery(sys: RawPrismaClient, id: string, outcome: DeliveryOutcome, error?: string): Promise<boolean> {
  const { count } = await sys.webhookDelivery.updateMany({
    where: { id, status: "RECEIVED" },
    data: { status: outcome, error: error ?? null, processedAt: new Date() },
  });
  return count === 1;
}
