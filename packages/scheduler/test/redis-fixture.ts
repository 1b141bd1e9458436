import { randomUUID } from "node:crypto";
import { Redis } from "ioredis";
import { FairScheduler, type FairSchedulerOptions } from "../src";

const REDIS_URL = process.env.GANTRY_TEST_REDIS_URL ?? "redis://127.0.0.1:6379";

/** One key prefix per test file, deleted (with every connection closed) by `close`. */
export function schedulingFixture(file: string) {
  const prefix = `gantry-test:${file}:${randomUUID()}`;
  const connections: Redis[] = [];
  let pools = 0;

  const connect = (): Redis => {
    const redis = new Redis(REDIS_URL, { maxRetriesPerRequest: 1 });
    connections.push(redis);
    return redis;
  };

  return {
    prefix,
    connect,
    /** A scheduler on its own connection; each test takes a fresh pool id so tests never share state. */
    scheduler(options: Omit<FairSchedulerOptions, "redis" | "prefix"> = {}, redis: Redis = connect()): FairScheduler {
      return new FairScheduler({ ...options, redis, prefix });
    },
    pool(): string {
      pools += 1;
      return `pool-${pools}`;
    },
    async close(): Promise<void> {
      const redis = connections[0] ?? connect();
      let cursor = "0";
      do {
        const [next, keys] = await redis.scan(cursor, "MATCH", `${prefix}:*`, "COUNT", 1000);
        if (keys.length > 0) await redis.del(...keys);
        cursor = next;
      } while (cursor !== "0");
      await Promise.all(connections.map((c) => c.quit()));
    },
  };
}
