// Notices that Redis lost its data without a restart of anything: every intervalMs, and at once whenever the
// connection is ready again (a restarted Redis without persistence is empty), the worker tries to claim the epoch
// marker (epoch.ts). A plain command on a timer of this process, never a BullMQ job: a flush would delete that.
// The worker that claims it rebuilds; if the rebuild fails the marker is dropped so the next check tries again.
import type { Redis } from "ioredis";
import { claimLostRedisEpoch, redisEpochKey } from "./epoch";

export interface RedisLossWatch {
  /** Runs one check now (what the timer and the reconnect do); resolves when any rebuild it started has ended. */
  check(): Promise<void>;
  stop(): Promise<void>;
}

export function watchRedisLoss(options: {
  redis: Redis;
  prefix: string;
  owner: string;
  intervalMs: number;
  rebuild: () => Promise<string>;
  log: (line: string) => void;
}): RedisLossWatch {
  const { redis, prefix, owner, log } = options;
  let running: Promise<void> | undefined;
  let stopped = false;
  const once = async () => {
    // Redis down: nothing to decide now; the reconnect's 'ready' checks again.
    if (redis.status !== "ready") return;
    let claimed = false;
    try {
      claimed = await claimLostRedisEpoch(redis, prefix, owner);
      if (!claimed) return;
      log("redis: lost its data (marker missing); rebuilding from Postgres");
      const startedAt = Date.now();
      const summary = await options.rebuild();
      log(`redis: rebuilt from Postgres in ${Date.now() - startedAt} ms (${summary})`);
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      if (!claimed) return; // a failed check (Redis went away mid-call): the next one decides
      log(`redis: rebuild from Postgres failed, will try again: ${message}`);
      await redis.del(redisEpochKey(prefix)).catch(() => undefined);
    }
  };
  // One check at a time: a slow rebuild is not started twice by this worker.
  const check = () => (running ??= once().finally(() => (running = undefined)));
  const onReady = () => {
    if (!stopped) void check();
  };
  redis.on("ready", onReady);
  const timer = setInterval(onReady, options.intervalMs);
  timer.unref();
  return {
    check,
    async stop() {
      stopped = true;
      clearInterval(timer);
      redis.off("ready", onReady);
      await running;
    },
  };
}
