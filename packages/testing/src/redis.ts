// The test Redis, one key prefix per use: every suite's queues, fair queues and markers live under a prefix of their
// own, so files running at once never share a key, and close() deletes the prefix's keys and quits the connections
// it opened (a test that forgot its keys used to leave them in the developer's Redis).
import { randomBytes } from "node:crypto";
import { Redis, type RedisOptions } from "ioredis";

/** The Redis the tests use (scripts/run-tests.mjs sets it; the default matches the local services). */
export const TEST_REDIS_URL = process.env.GANTRY_TEST_REDIS_URL ?? "redis://127.0.0.1:6379";

export interface TestRedis {
  readonly url: string;
  /** `gantry-test-<label>-<random>`: GANTRY_QUEUE_PREFIX for a worker or web under test, or a scheduler's prefix. */
  readonly prefix: string;
  /** A connection closed by close(); BullMQ users pass `{ maxRetriesPerRequest: null }`. */
  connect(options?: RedisOptions): Redis;
  /** The prefix's keys now. */
  keys(): Promise<string[]>;
  close(): Promise<void>;
}

/** `url`: another Redis than the shared test one (a private server a test may flush). */
export function testRedis(label = "redis", url: string = TEST_REDIS_URL): TestRedis {
  const prefix = `gantry-test-${label}-${randomBytes(4).toString("hex")}`;
  const connections: Redis[] = [];
  const connect = (options: RedisOptions = {}): Redis => {
    const redis = new Redis(url, { maxRetriesPerRequest: 1, ...options });
    connections.push(redis);
    return redis;
  };
  const keys = async (redis: Redis): Promise<string[]> => {
    const found: string[] = [];
    let cursor = "0";
    do {
      const [next, batch] = await redis.scan(cursor, "MATCH", `${prefix}:*`, "COUNT", 1000);
      found.push(...batch);
      cursor = next;
    } while (cursor !== "0");
    return found;
  };
  let cleaner: Redis | undefined;
  return {
    url,
    prefix,
    connect,
    keys: () => keys((cleaner ??= connect())),
    async close() {
      const redis = (cleaner ??= connect());
      const found = await keys(redis);
      for (let at = 0; at < found.length; at += 1000) await redis.del(...found.slice(at, at + 1000));
      await Promise.all(connections.map((connection) => connection.quit().catch(() => connection.disconnect())));
    },
  };
}
