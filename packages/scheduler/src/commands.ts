import type { ClientContext, Redis, Result } from "ioredis";
import { CLAIM_LUA } from "./lua/claim";
import { ENQUEUE_LUA } from "./lua/enqueue";
import { EXPLAIN_LUA } from "./lua/explain";
import { PUT_BACK_LUA } from "./lua/put-back";
import { REBUILD_LUA } from "./lua/rebuild";
import { RELEASE_LUA } from "./lua/release";
import { REMOVE_LUA } from "./lua/remove";
import { SET_POLICY_LUA } from "./lua/set-policy";
import { STATS_LUA } from "./lua/stats";

/** ioredis flattens array arguments, which keeps a 10⁵-entry rebuild off the JS call stack. */
type Arg = string | number | readonly (string | number)[];

// Commands added by defineCommand; replies are parsed with zod at the call site, hence `unknown`.
declare module "ioredis" {
  interface RedisCommander<Context extends ClientContext> {
    gantrySchedEnqueue(base: string, ...args: Arg[]): Result<unknown, Context>;
    gantrySchedClaim(base: string, ...args: Arg[]): Result<unknown, Context>;
    gantrySchedRelease(base: string, ...args: Arg[]): Result<unknown, Context>;
    gantrySchedPutBack(base: string, ...args: Arg[]): Result<unknown, Context>;
    gantrySchedRemove(base: string, ...args: Arg[]): Result<unknown, Context>;
    gantrySchedSetPolicy(base: string, ...args: Arg[]): Result<unknown, Context>;
    gantrySchedRebuild(base: string, ...args: Arg[]): Result<unknown, Context>;
    gantrySchedStats(base: string, ...args: Arg[]): Result<unknown, Context>;
    gantrySchedExplain(base: string, ...args: Arg[]): Result<unknown, Context>;
  }
}

const scripts = {
  gantrySchedEnqueue: ENQUEUE_LUA,
  gantrySchedClaim: CLAIM_LUA,
  gantrySchedRelease: RELEASE_LUA,
  gantrySchedPutBack: PUT_BACK_LUA,
  gantrySchedRemove: REMOVE_LUA,
  gantrySchedSetPolicy: SET_POLICY_LUA,
  gantrySchedRebuild: REBUILD_LUA,
  gantrySchedStats: STATS_LUA,
  gantrySchedExplain: EXPLAIN_LUA,
} as const;

const defined = new WeakSet<Redis>();

/** Registers the scheduling scripts on a connection once; ioredis then sends EVALSHA and falls back to EVAL on NOSCRIPT. */
export function defineSchedulingCommands(redis: Redis): void {
  if (defined.has(redis)) return;
  for (const [name, lua] of Object.entries(scripts)) {
    redis.defineCommand(name, { numberOfKeys: 1, lua });
  }
  defined.add(redis);
}
