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

  /** Adds a job; jobId makes a second add of the same work a no-op while the first is still known. */
  async add<N extends JobName>(name: N, payload: JobPayload<N>, jobId?: string, options: { delay?: number } = {}): Promise<void> {
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

function jobOptions(name: JobName, jobId?: string, options: { delay?: number } = {}): JobsOptions {
  const definition = jobCatalog[name];
  return {
    attempts: definition.attempts,
    backoff: definition.backoffMs > 0 ? { type: "exponential", delay: definition.backoffMs } : undefined,
    ...(jobId ? { jobId } : {}),
    ...(options.delay ? { delay: options.delay } : {}),
    removeOnComplete: { age: 24 * 3600, count: 10_000 },
    removeOnFail: { age: 7 * 24 * 3600 },
  };
}
