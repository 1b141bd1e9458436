import { LUA_PRELUDE } from "./prelude";

/**
 * ARGV[5] = now (ms), ARGV[6] = how many claims at most (a coalesced batch of waiting runners). Returns a flat
 * array of {jobId, tenant, class, enqueuedAt} × k, k ≤ ARGV[6]; empty when no tenant is eligible.
 *
 * Start-time fair queuing over tenants: serve the active tenant with the smallest virtual start tag, then advance
 * its tag by 1/weight. Ineligible tenants found at the head are parked (capped / throttled) and the next is tried,
 * so each tenant is skipped at most once per call and the loop is bounded by the active set.
 */
export const CLAIM_LUA = `${LUA_PRELUDE}
local now = tonumber(ARGV[5])
local EPS = 1e-6

for _, t in ipairs(redis.call('ZRANGEBYSCORE', k('throttled'), '-inf', now)) do
  redis.call('ZREM', k('throttled'), t)
  place(t)
end

-- One fair pick: the head of the active set, or park it (capped / throttled) and try the next head.
local function pickOne()
  while true do
    local head = redis.call('ZRANGE', k('active'), 0, 0, 'WITHSCORES')
    if #head == 0 then return nil end
    local t, vt = head[1], tonumber(head[2])
    local w, max, rate, burst = policy(t)
    local sk = k('st:' .. t)
    local st = redis.call('HMGET', sk, 'run', 'tok', 'ts')
    local run = tonumber(st[1]) or 0
    local q = k('q:' .. t)
    if capped(run, max) then
      redis.call('ZREM', k('active'), t)
      redis.call('SADD', k('capped'), t)
    else
      local ok = true
      if rate >= 0 then
        local tok, ts = tonumber(st[2]), tonumber(st[3])
        if tok == nil or ts == nil then tok, ts = burst, now end
        if now > ts then
          tok = math.min(burst, tok + (now - ts) * rate / 1000)
          ts = now
        end
        -- EPS absorbs float drift, so a token due at exactly t is usable at t.
        if tok < 1 - EPS then
          ok = false
          redis.call('HSET', sk, 'tok', tok, 'ts', ts)
          redis.call('ZREM', k('active'), t)
          redis.call('ZADD', k('throttled'), now + math.max(1, math.ceil((1 - tok) * 1000 / rate - EPS)), t)
        else
          redis.call('HSET', sk, 'tok', math.max(0, tok - 1), 'ts', ts)
        end
      end
      if ok then
        local popped = redis.call('ZPOPMIN', q)
        if #popped == 0 then
          -- Broken invariant (a hand-edited key): drop the tenant rather than loop.
          redis.call('ZREM', k('active'), t)
        else
          local job = popped[1]
          local info = redis.call('HGET', k('jobs'), job) or (t .. '|schedule|' .. now .. '|0')
          redis.call('HDEL', k('jobs'), job)
          redis.call('HSET', k('run'), job, t .. '|' .. now)
          redis.call('HSET', k('meta'), 'v', vt)
          local nextVt = vt + 1 / w
          redis.call('HSET', sk, 'vt', nextVt, 'run', run + 1)
          if redis.call('ZCARD', q) == 0 then
            redis.call('ZREM', k('active'), t)
          elseif capped(run + 1, max) then
            redis.call('ZREM', k('active'), t)
            redis.call('SADD', k('capped'), t)
          else
            redis.call('ZADD', k('active'), nextVt, t)
          end
          local _, class, enqueuedAt = string.match(info, '^([^|]+)|([^|]+)|([^|]+)')
          return {job, t, class, enqueuedAt}
        end
      end
    end
  end
end

local out = {}
for _ = 1, tonumber(ARGV[6]) do
  local picked = pickOne()
  if picked == nil then break end
  for _, v in ipairs(picked) do table.insert(out, v) end
end
return out
`;
