import type { Redis } from "ioredis";
import { testRedis } from "@gantry/testing";
import { FairScheduler, type FairSchedulerOptions } from "../src";

/** One key prefix per test file (@gantry/testing testRedis), deleted with every connection closed by `close`. */
export function schedulingFixture(file: string) {
  const keys = testRedis(`scheduler-${file.replace(/[^a-z0-9-]/gi, "-")}`);
  let pools = 0;
  const connect = (): Redis => keys.connect();

  return {
    prefix: keys.prefix,
    connect,
    /** A scheduler on its own connection; each test takes a fresh pool id so tests never share state. */
    scheduler(options: Omit<FairSchedulerOptions, "redis" | "prefix"> = {}, redis: Redis = connect()): FairScheduler {
      return new FairScheduler({ ...options, redis, prefix: keys.prefix });
    },
    pool(): string {
      pools += 1;
      return `pool-${pools}`;
    },
    close: () => keys.close(),
  };
}
