// Where verified GitHub deliveries go: stored (group-committed, one INSERT per batch of concurrent deliveries)
// and queued for the worker's intake (one BullMQ addBulk per batch). Per-delivery round trips were most of the
// webhook endpoint's CPU (the socket writes to Postgres and Redis; bench/intake.ts), so concurrent deliveries share them.
import { intake, type Database } from "@gantry/db";
import type { Queues } from "@gantry/jobs";
import { GroupCommit } from "../group-commit";

export interface DeliveryWriter {
  record(input: intake.DeliveryInput): Promise<intake.RecordedDelivery>;
  /** Queues the stored delivery for the worker's intake job (jobId `intake-<id>`, so a repeat is a no-op). */
  enqueueIntake(storedId: string): Promise<void>;
}

export function createDeliveryWriter(database: Database, queues: Pick<Queues, "addBulk">): DeliveryWriter {
  const sql = database.sql("github webhook: store verified deliveries");
  const rows = new GroupCommit((inputs: intake.DeliveryInput[]) => intake.recordDeliveries(sql, inputs), { maxInFlight: 2, maxBatch: 200 });
  const jobs = new GroupCommit(
    async (ids: string[]) => {
      await queues.addBulk("intake", ids.map((id) => ({ payload: { deliveryId: id }, jobId: `intake-${id}` })));
      return ids.map(() => undefined);
    },
    { maxInFlight: 2, maxBatch: 200 },
  );
  return { record: (input) => rows.submit(input), enqueueIntake: (id) => jobs.submit(id) };
}
