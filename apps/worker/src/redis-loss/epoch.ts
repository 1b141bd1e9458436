// The Redis epoch marker: one key a worker writes when it has made Redis match Postgres. Redis never deletes it
// on its own (no expiry), so its absence means Redis lost its data: a FLUSHALL, a restart without persistence, a
// failover to an empty replica. Under the queue prefix, like every other key of this deployment.
import type { Redis } from "ioredis";

export const redisEpochKey = (prefix: string) => `${prefix}:redis-epoch`;

/** Marks Redis as rebuilt by `owner`, unconditionally (start-up, after its own rebuild). */
export async function markRedisEpoch(redis: Pick<Redis, "set">, prefix: string, owner: string): Promise<void> {
  await redis.set(redisEpochKey(prefix), `${owner} ${new Date().toISOString()}`);
}

/**
 * Sets the marker only if it is missing; true: it was missing, and the caller is the one worker that will rebuild
 * (SET NX is atomic, so of several workers noticing at once one wins).
 */
export async function claimLostRedisEpoch(redis: Pick<Redis, "set">, prefix: string, owner: string): Promise<boolean> {
  return (await redis.set(redisEpochKey(prefix), `${owner} ${new Date().toISOString()}`, "NX")) === "OK";
}
