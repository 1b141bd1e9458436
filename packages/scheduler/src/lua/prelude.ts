/**
 * Shared head of every scheduling script. Contract: KEYS[1] is the pool base (`<prefix>:{pool:<id>}`), ARGV[1..4]
 * are the default policy (weight, maxConcurrent, ratePerSec, burst; -1 = no limit) for tenants without their own.
 *
 * Pool state, all under the base (one hash tag, one cluster slot):
 *   q:<tenant>   zset   ready jobs of a tenant, score = enqueuedAt + classRank × agingStep
 *   jobs         hash   ready jobId → "tenant|class|enqueuedAt|score"
 *   run          hash   claimed jobId → "tenant|claimedAt"
 *   st:<tenant>  hash   vt (next virtual start tag), run (claimed count), tok/ts (token bucket)
 *   pol:<tenant> hash   w, max, rate, burst
 *   active       zset   tenants with ready work, under cap, not known to be throttled; score = vt
 *   capped       set    tenants with ready work at their concurrency cap
 *   throttled    zset   tenants with ready work out of tokens; score = ms when a token is due
 *   tenants      set    every tenant seen (so rebuild and stats can find per-tenant keys)
 *   meta         hash   v = system virtual time (start tag of the last claim)
 * Invariant: a tenant is in exactly one of active/capped/throttled iff its q is non-empty.
 */
export const LUA_PRELUDE = `
local base = KEYS[1]
local function k(name) return base .. ':' .. name end
local D_W, D_MAX, D_RATE, D_BURST = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4])

local function policy(t)
  local p = redis.call('HMGET', k('pol:' .. t), 'w', 'max', 'rate', 'burst')
  return tonumber(p[1]) or D_W, tonumber(p[2]) or D_MAX, tonumber(p[3]) or D_RATE, tonumber(p[4]) or D_BURST
end

local function capped(run, max) return max >= 0 and run >= max end

-- Put a tenant that has ready work (and is in no set) where it belongs. A (re)activated tenant starts at the
-- system virtual time: idle, capped or throttled spells earn no credit, so nobody bursts ahead on return.
local function place(t)
  local _, max = policy(t)
  local st = redis.call('HMGET', k('st:' .. t), 'run', 'vt')
  if capped(tonumber(st[1]) or 0, max) then
    redis.call('SADD', k('capped'), t)
    return
  end
  local vt = tonumber(st[2]) or 0
  local v = tonumber(redis.call('HGET', k('meta'), 'v')) or 0
  if vt < v then
    vt = v
    redis.call('HSET', k('st:' .. t), 'vt', vt)
  end
  redis.call('ZADD', k('active'), vt, t)
end

local function tenantOf(value) return string.match(value, '^([^|]+)') end

-- Frees a claimed job's slot: forgets the claim and lowers its tenant's claimed count (never below 0). Returns the
-- tenant and its claimed count now, or nil when the job was not claimed (already released or handed back).
local function freeSlot(job)
  local info = redis.call('HGET', k('run'), job)
  if not info then return nil end
  local t = tenantOf(info)
  local sk = k('st:' .. t)
  redis.call('HDEL', k('run'), job)
  local run = redis.call('HINCRBY', sk, 'run', -1)
  if run < 0 then
    run = 0
    redis.call('HSET', sk, 'run', 0)
  end
  return t, run
end
`;
