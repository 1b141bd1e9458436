import { LUA_PRELUDE } from "./prelude";

/**
 * ARGV[5] = number of ready entries R, ARGV[6] = number of claimed entries C, then R × (jobId, tenant, class,
 * enqueuedAt, score), then C × (jobId, tenant, claimedAt). Replaces the pool's queues, claims and fairness state in
 * one step (policies stay). A job listed as both claimed and ready counts as claimed; duplicates collapse.
 * Returns {ready, claimed} as stored.
 */
export const REBUILD_LUA = `${LUA_PRELUDE}
for _, t in ipairs(redis.call('SMEMBERS', k('tenants'))) do
  redis.call('DEL', k('q:' .. t), k('st:' .. t))
end
redis.call('DEL', k('jobs'), k('run'), k('active'), k('capped'), k('throttled'), k('meta'))

local nReady, nClaimed = tonumber(ARGV[5]), tonumber(ARGV[6])
local claimedAt = 7 + nReady * 5
local claimed = 0
for i = 0, nClaimed - 1 do
  local o = claimedAt + i * 3
  local job, t = ARGV[o], ARGV[o + 1]
  if redis.call('HSETNX', k('run'), job, t .. '|' .. ARGV[o + 2]) == 1 then
    redis.call('SADD', k('tenants'), t)
    redis.call('HINCRBY', k('st:' .. t), 'run', 1)
    claimed = claimed + 1
  end
end

local touched = {}
local ready = 0
for i = 0, nReady - 1 do
  local o = 7 + i * 5
  local job, t = ARGV[o], ARGV[o + 1]
  if redis.call('HEXISTS', k('run'), job) == 0 and
     redis.call('HSETNX', k('jobs'), job, t .. '|' .. ARGV[o + 2] .. '|' .. ARGV[o + 3] .. '|' .. ARGV[o + 4]) == 1 then
    redis.call('ZADD', k('q:' .. t), ARGV[o + 4], job)
    if not touched[t] then
      touched[t] = true
      redis.call('SADD', k('tenants'), t)
    end
    ready = ready + 1
  end
end
for t in pairs(touched) do place(t) end
return {ready, claimed}
`;
