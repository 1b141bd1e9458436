import { LUA_PRELUDE } from "./prelude";

/** ARGV[5] = jobId. Returns 1 when a claim was released, 0 when the job was not claimed (already released). */
export const RELEASE_LUA = `${LUA_PRELUDE}
local job = ARGV[5]
local info = redis.call('HGET', k('run'), job)
if not info then return 0 end
local t = tenantOf(info)
redis.call('HDEL', k('run'), job)
local run = redis.call('HINCRBY', k('st:' .. t), 'run', -1)
if run < 0 then
  run = 0
  redis.call('HSET', k('st:' .. t), 'run', 0)
end
if redis.call('SISMEMBER', k('capped'), t) == 1 then
  local _, max = policy(t)
  if not capped(run, max) then
    redis.call('SREM', k('capped'), t)
    place(t)
  end
end
return 1
`;
