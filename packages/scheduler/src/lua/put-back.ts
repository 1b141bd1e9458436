import { LUA_PRELUDE } from "./prelude";

/**
 * ARGV[5..8] = jobId, class, enqueuedAt, score. Undoes a claim the caller could not use (the claiming runner is one
 * the job avoids while another runner may take it): the job goes back to its place in its tenant's queue, the slot
 * is freed, and the claim's charge is given back — the virtual-time step (never below the system virtual time) and
 * the rate token — so handing a job back costs the tenant nothing. Returns 1, or 0 when the job was not claimed.
 */
export const PUT_BACK_LUA = `${LUA_PRELUDE}
local job, class, enqueuedAt, score = ARGV[5], ARGV[6], ARGV[7], ARGV[8]
local t, run = freeSlot(job)
if not t then return 0 end
local sk = k('st:' .. t)
local w, max, rate, burst = policy(t)
local v = tonumber(redis.call('HGET', k('meta'), 'v')) or 0
local vt = math.max(v, (tonumber(redis.call('HGET', sk, 'vt')) or 0) - 1 / w)
redis.call('HSET', sk, 'vt', vt)
if rate >= 0 then
  local tok = tonumber(redis.call('HGET', sk, 'tok'))
  if tok ~= nil then redis.call('HSET', sk, 'tok', math.min(burst, tok + 1)) end
end
redis.call('SADD', k('tenants'), t)
redis.call('HSET', k('jobs'), job, t .. '|' .. class .. '|' .. enqueuedAt .. '|' .. score)
local q = k('q:' .. t)
local wasEmpty = redis.call('ZCARD', q) == 0
redis.call('ZADD', q, score, job)
if wasEmpty then
  place(t)
elseif redis.call('ZSCORE', k('active'), t) then
  redis.call('ZADD', k('active'), vt, t)
elseif redis.call('SISMEMBER', k('capped'), t) == 1 and not capped(run, max) then
  redis.call('SREM', k('capped'), t)
  place(t)
end
return 1
`;
