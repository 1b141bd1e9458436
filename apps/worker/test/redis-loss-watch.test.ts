// The Redis-loss watch on the real Redis, under a key prefix of this test's own (only the marker is deleted: the
// shared Redis is never flushed). Several workers noticing at once rebuild once; a failed rebuild is tried again;
// a reconnect is checked at once, without waiting for the interval.
import { randomBytes } from "node:crypto";
import { Redis } from "ioredis";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { markRedisEpoch, redisEpochKey } from "../src/redis-loss/epoch";
import { watchRedisLoss, type RedisLossWatch } from "../src/redis-loss/watch";
import { until } from "./github/github-testbed";
import { TEST_REDIS_URL as REDIS_URL } from "@gantry/testing";

const HOUR = 3_600_000;
const connections: Redis[] = [];
const watches: RedisLossWatch[] = [];

async function connect(): Promise<Redis> {
  const redis = new Redis(REDIS_URL);
  connections.push(redis);
  await redis.ping();
  return redis;
}

function watch(redis: Redis, prefix: string, rebuild: () => Promise<string>, lines: string[] = [], intervalMs = HOUR): RedisLossWatch {
  const handle = watchRedisLoss({ redis, prefix, owner: `w${watches.length}`, intervalMs, rebuild, log: (line) => lines.push(line) });
  watches.push(handle);
  return handle;
}

afterEach(async () => {
  await Promise.all(watches.splice(0).map((handle) => handle.stop()));
});
afterAll(() => {
  for (const redis of connections) redis.disconnect();
});

describe("redis-loss watch", () => {
  it("does nothing while the marker is there; of three workers noticing it gone at once, one rebuilds and says so", async () => {
    const prefix = `gantry-test-${randomBytes(4).toString("hex")}`;
    const redis = await connect();
    await markRedisEpoch(redis, prefix, "start");
    let rebuilds = 0;
    const lines: string[] = [];
    const rebuild = async () => {
      rebuilds += 1;
      return "nothing";
    };
    const workers = [watch(await connect(), prefix, rebuild, lines), watch(await connect(), prefix, rebuild, lines), watch(await connect(), prefix, rebuild, lines)];
    await Promise.all(workers.map((worker) => worker.check()));
    expect(rebuilds).toBe(0);
    await redis.del(redisEpochKey(prefix));
    await Promise.all(workers.map((worker) => worker.check()));
    expect(rebuilds).toBe(1);
    expect(lines[0]).toBe("redis: lost its data (marker missing); rebuilding from Postgres");
    expect(lines[1]).toMatch(/^redis: rebuilt from Postgres in \d+ ms \(nothing\)$/);
    expect(await redis.exists(redisEpochKey(prefix))).toBe(1);
    await redis.del(redisEpochKey(prefix));
  });

  it("a rebuild that fails leaves the marker missing, so the next check rebuilds again", async () => {
    const prefix = `gantry-test-${randomBytes(4).toString("hex")}`;
    const redis = await connect();
    const outcomes = [new Error("Postgres did not answer"), "2 pool(s)"];
    const lines: string[] = [];
    const worker = watch(redis, prefix, async () => {
      const next = outcomes.shift();
      if (next instanceof Error) throw next;
      return next ?? "";
    }, lines);
    await worker.check();
    expect(lines.at(-1)).toBe("redis: rebuild from Postgres failed, will try again: Postgres did not answer");
    expect(await redis.exists(redisEpochKey(prefix))).toBe(0);
    await worker.check();
    expect(lines.at(-1)).toMatch(/rebuilt from Postgres in \d+ ms \(2 pool\(s\)\)/);
    expect(outcomes).toEqual([]);
    await redis.del(redisEpochKey(prefix));
  });

  it("checks on reconnect (a Redis restarted empty), not only on the interval", async () => {
    const prefix = `gantry-test-${randomBytes(4).toString("hex")}`;
    const redis = await connect();
    await markRedisEpoch(redis, prefix, "start");
    let rebuilt = false;
    watch(redis, prefix, async () => {
      rebuilt = true;
      return "";
    });
    await redis.del(redisEpochKey(prefix));
    redis.disconnect(true);
    await until("the rebuild after the reconnect", () => rebuilt, 10_000);
    await redis.del(redisEpochKey(prefix));
  });
});
