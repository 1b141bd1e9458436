import { LUA_PRELUDE } from "./prelude";

/**
 * Read-only. ARGV[5] = tenant, ARGV[6] = job. Where one job stands in its pool, from the fair queue's own state:
 * {state (ready|claimed|absent), rank in its tenant's queue (0 = next), the tenant's placement, claimed count,
 * cap (-1 none), rate (-1 none), when its next token is due (-1 unless throttled), weight, then the other tenants
 * with ready work as rows of tenant, ready, placement, weight}.
 */
export const EXPLAIN_LUA = `${LUA_PRELUDE}
local t, job = ARGV[5], ARGV[6]
local state = 'absent'
if redis.call('HEXISTS', k('jobs'), job) == 1 then state = 'ready'
elseif redis.call('HEXISTS', k('run'), job) == 1 then state = 'claimed' end
local rank = redis.call('ZRANK', k('q:' .. t), job) or -1

local function placementOf(tenant)
  if redis.call('ZSCORE', k('active'), tenant) then return 'active' end
  if redis.call('SISMEMBER', k('capped'), tenant) == 1 then return 'capped' end
  if redis.call('ZSCORE', k('throttled'), tenant) then return 'throttled' end
  return 'idle'
end

local w, max, rate = policy(t)
local due = redis.call('ZSCORE', k('throttled'), t) or -1
-- As strings: Redis truncates a script's numbers to integers (a rate of 0.5 a second would read 0).
local out = {state, rank, placementOf(t), redis.call('HGET', k('st:' .. t), 'run') or '0', tostring(max), tostring(rate), tostring(due), tostring(w)}
for _, other in ipairs(redis.call('SMEMBERS', k('tenants'))) do
  if other ~= t then
    local ready = redis.call('ZCARD', k('q:' .. other))
    if ready > 0 then
      local ow = policy(other)
      table.insert(out, other)
      table.insert(out, ready)
      table.insert(out, placementOf(other))
      table.insert(out, tostring(ow))
    end
  end
end
return out
`;
