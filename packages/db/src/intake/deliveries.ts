// Webhook and push-notification deliveries (DESIGN.md invariant 1): stored before anything else happens,
// processed from the stored row, and a redelivery of the same id is recognised, not stored twice.
import type { Prisma } from "../generated/prisma/client";
import type { RawPrismaClient } from "../client";
import { deterministicId } from "../ids";

export interface DeliveryInput {
  /** GitHub's X-GitHub-Delivery, or the id our push notifier sends. */
  deliveryId: string;
  source: "github" | "git";
  event: string;
  action?: string;
  tenantId?: string;
  repositoryId?: string;
  payload: Prisma.InputJsonValue;
}

/** Stores the delivery; `duplicate: true` when this delivery id was stored before (nothing is written then). */
export async function recordDelivery(sys: RawPrismaClient, input: DeliveryInput): Promise<{ id: string; duplicate: boolean }> {
  const id = deterministicId("dlv", input.source, input.deliveryId);
  const { count } = await sys.webhookDelivery.createMany({
    data: [
      {
        id,
        deliveryId: `${input.source}:${input.deliveryId}`,
        source: input.source,
        event: input.event,
        action: input.action ?? null,
        tenantId: input.tenantId ?? null,
        repositoryId: input.repositoryId ?? null,
        payload: input.payload,
      },
    ],
    skipDuplicates: true,
  });
  return { id, duplicate: count === 0 };
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
