import { LUA_PRELUDE } from "./prelude";

/** ARGV[5..9] = tenant, weight, maxConcurrent, ratePerSec, burst (-1 = no limit). Returns 1. */
export const SET_POLICY_LUA = `${LUA_PRELUDE}
local t = ARGV[5]
redis.call('SADD', k('tenants'), t)
redis.call('HSET', k('pol:' .. t), 'w', ARGV[6], 'max', ARGV[7], 'rate', ARGV[8], 'burst', ARGV[9])
local tok = tonumber(redis.call('HGET', k('st:' .. t), 'tok'))
if tok ~= nil and tok > tonumber(ARGV[9]) then redis.call('HSET', k('st:' .. t), 'tok', ARGV[9]) end
-- A parked tenant is re-placed under the new policy; an active one is re-checked by the next claim.
local parked = redis.call('SREM', k('capped'), t) + redis.call('ZREM', k('throttled'), t)
if parked > 0 then place(t) end
return 1
`;
