// Deliveries are stored in Postgres before they are queued in Redis; if the queueing was lost (Redis down at
// the time, FLUSHALL, a crash in between), this sweep queues every delivery still RECEIVED after a while.
// The intake job id is the delivery id, so a delivery that is still queued is not queued twice.
import type { Database } from "@gantry/db";
import type { Queues } from "@gantry/jobs";

export async function sweepDeliveries(db: Database, queues: Queues, olderThanMs: number, limit: number): Promise<number> {
  const stale = await db.system("delivery sweep covers every tenant").webhookDelivery.findMany({
    where: { status: "RECEIVED", receivedAt: { lte: new Date(Date.now() - olderThanMs) } },
    select: { id: true },
    orderBy: { receivedAt: "asc" },
    take: limit,
  });
  for (const delivery of stale) await queues.add("intake", { deliveryId: delivery.id }, `intake-${delivery.id}`);
  return stale.length;
}
