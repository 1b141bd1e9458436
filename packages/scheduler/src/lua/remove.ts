import { LUA_PRELUDE } from "./prelude";

/**
 * ARGV[5] = jobId. Takes a ready job out of its queue (cancellation). Returns 1 when removed, 2 when the job is
 * claimed (stopping it is the lease owner's business; its release frees the slot), 0 when unknown.
 */
export const REMOVE_LUA = `${LUA_PRELUDE}
local job = ARGV[5]
local info = redis.call('HGET', k('jobs'), job)
if not info then
  if redis.call('HEXISTS', k('run'), job) == 1 then return 2 end
  return 0
end
local t = tenantOf(info)
redis.call('HDEL', k('jobs'), job)
local q = k('q:' .. t)
redis.call('ZREM', q, job)
if redis.call('ZCARD', q) == 0 then
  redis.call('ZREM', k('active'), t)
  redis.call('SREM', k('capped'), t)
  redis.call('ZREM', k('throttled'), t)
end
return 1
`;
