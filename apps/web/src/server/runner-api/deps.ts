import type { Database } from "@gantry/db";
import type { Queues } from "@gantry/jobs";
import type { FairScheduler } from "@gantry/scheduler";

/** What the runner API needs from the process: the database, the fair scheduler and the job producer. */
export interface RunnerApiDeps {
  database: Database;
  scheduler: FairScheduler;
  queues: Pick<Queues, "add">;
  leaseMs: number;
  heartbeatMs: number;
  sleep?: (ms: number) => Promise<void>;
}
