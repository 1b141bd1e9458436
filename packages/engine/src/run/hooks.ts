// What a run's changes set off beyond Postgres: ready jobs go to their pool's queue, and GitHub hears of job and
// run changes (check runs, workflow_run events) through the queues. The engine (engine.ts) always passes both; a
// test of the DAG alone passes neither, and then nothing leaves Postgres.
import type { Queues } from "@gantry/jobs";
import type { Clock } from "../clock";

export interface RunHooks {
  /** Jobs that became ready (WAITING): the engine enqueues them in their pool's fair queue. */
  onReady?: (jobIds: string[]) => Promise<void>;
  /** Where check reports and workflow_run events are asked for. */
  notify?: Pick<Queues, "add"> | null;
  /** "Now" for the run's decisions in code (an environment's wait timer passed); absent: the process's clock. */
  clock?: Clock;
}
