// Producing jobs: the only way code adds work to a queue, so every job carries its catalog options.
import { Queue, type ConnectionOptions, type JobsOptions } from "bullmq";
import { jobCatalog, type JobName, type JobPayload } from "./job-catalog";

export class Queues {
  private readonly queues = new Map<string, Queue>();

  constructor(
    private readonly connection: ConnectionOptions,
    private readonly prefix: string,
  ) {}

  queue(name: string): Queue {
    let queue = this.queues.get(name);
    if (!queue) {
      queue = new Queue(name, { connection: this.connection, prefix: this.prefix });
      this.queues.set(name, queue);
    }
    return queue;
  }

  /**
   * Adds a job; jobId makes a second add of the same work a no-op while the first is still known. `coalesce` names
   * work that a later run covers (e.g. advancing one run): while a job of that key waits, another add is a no-op;
   * while one is active, one more is kept and runs after it (BullMQ deduplication with keepLastIfActive), so a
   * request made during a run is never lost and at most one job of the key runs at a time.
   */
  async add<N extends JobName>(name: N, payload: JobPayload<N>, jobId?: string, options: AddOptions = {}): Promise<void> {
    const definition = jobCatalog[name];
    await this.queue(definition.queue).add(name, definition.payload.parse(payload), jobOptions(name, jobId, options));
  }

  /** Adds jobs of one name in one round trip per queue (BullMQ's addBulk: a MULTI), with add's options and jobIds. */
  async addBulk<N extends JobName>(name: N, jobs: ReadonlyArray<{ payload: JobPayload<N>; jobId?: string }>): Promise<void> {
    if (jobs.length === 0) return;
    const definition = jobCatalog[name];
    await this.queue(definition.queue).addBulk(jobs.map((job) => ({ name, data: definition.payload.parse(job.payload), opts: jobOptions(name, job.jobId) })));
  }

  async close(): Promise<void> {
    await Promise.all([...this.queues.values()].map((queue) => queue.close()));
  }
}

export interface AddOptions {
  delay?: number;
  /** Coalescing key (see Queues.add); unique among the queue's jobs, e.g. `advance-<runId>`. */
  coalesce?: string;
}

function jobOptions(name: JobName, jobId?: string, options: AddOptions = {}): JobsOptions {
  const definition = jobCatalog[name];
  return {
    attempts: definition.attempts,
    backoff: definition.backoffMs > 0 ? { type: "exponential", delay: definition.backoffMs } : undefined,
    ...(jobId ? { jobId } : {}),
    ...(options.delay ? { delay: options.delay } : {}),
    ...(options.coalesce ? { deduplication: { id: options.coalesce, keepLastIfActive: true } } : {}),
    removeOnComplete: { age: 24 * 3600, count: 10_000 },
    removeOnFail: { age: 7 * 24 * 3600 },
  };
}
