import { LUA_PRELUDE } from "./prelude";

/**
 * ARGV[5] = cost reference in ms (-1: charge by claims only), then pairs (jobId, ranMs or -1). Per job: 1 when its
 * claim was released, 0 when it was not claimed (already released). A released tenant that was capped and is now
 * under its cap goes back to the active set.
 *
 * Runtime charging: a claim charged the tenant 1/weight; with a reference R and the job's runtime r, release adds
 * (r/R − 1)/weight so the total is (r/R)/weight. The tag never drops below the system virtual time: a short job
 * earns no credit against tenants that are waiting now.
 */
export const RELEASE_LUA = `${LUA_PRELUDE}
local ref = tonumber(ARGV[5])
local out = {}
for i = 6, #ARGV, 2 do
  local job, ranMs = ARGV[i], tonumber(ARGV[i + 1])
  local t, run = freeSlot(job)
  if not t then
    table.insert(out, 0)
  else
    local sk = k('st:' .. t)
    if ref > 0 and ranMs >= 0 then
      local w = policy(t)
      local vt = tonumber(redis.call('HGET', sk, 'vt')) or 0
      local v = tonumber(redis.call('HGET', k('meta'), 'v')) or 0
      local charged = math.max(v, vt + (ranMs / ref - 1) / w)
      redis.call('HSET', sk, 'vt', charged)
      if redis.call('ZSCORE', k('active'), t) then redis.call('ZADD', k('active'), charged, t) end
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
