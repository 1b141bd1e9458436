import { LUA_PRELUDE } from "./prelude";

/**
 * ARGV[5..] = jobIds. Per job: 1 when its claim was released, 0 when it was not claimed (already released).
 * A released tenant that was capped and is now under its cap goes back to the active set.
 */
export const RELEASE_LUA = `${LUA_PRELUDE}
local out = {}
for i = 5, #ARGV do
  local job = ARGV[i]
  local info = redis.call('HGET', k('run'), job)
  if not info then
    table.insert(out, 0)
  else
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
    table.insert(out, 1)
  end
end
return out
`;
