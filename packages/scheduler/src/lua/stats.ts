import { LUA_PRELUDE } from "./prelude";

/**
 * Read-only. Returns {ready, claimed, v, tenantRows...} where each tenant row is
 * tenant, ready, claimed, placement (active|capped|throttled|idle), vt.
 */
export const STATS_LUA = `${LUA_PRELUDE}
local out = {redis.call('HLEN', k('jobs')), redis.call('HLEN', k('run')), redis.call('HGET', k('meta'), 'v') or '0'}
for _, t in ipairs(redis.call('SMEMBERS', k('tenants'))) do
  local st = redis.call('HMGET', k('st:' .. t), 'run', 'vt')
  local placement = 'idle'
  if redis.call('ZSCORE', k('active'), t) then placement = 'active'
  elseif redis.call('SISMEMBER', k('capped'), t) == 1 then placement = 'capped'
  elseif redis.call('ZSCORE', k('throttled'), t) then placement = 'throttled' end
  table.insert(out, t)
  table.insert(out, redis.call('ZCARD', k('q:' .. t)))
  table.insert(out, st[1] or '0')
  table.insert(out, placement)
  table.insert(out, st[2] or '0')
end
return out
`;
