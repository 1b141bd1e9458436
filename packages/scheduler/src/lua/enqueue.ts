import { LUA_PRELUDE } from "./prelude";

/** ARGV[5..9] = jobId, tenant, class, enqueuedAt, score. Returns 1 when added, 0 when the job is already ready or claimed. */
export const ENQUEUE_LUA = `${LUA_PRELUDE}
local job, t = ARGV[5], ARGV[6]
if redis.call('HEXISTS', k('jobs'), job) == 1 or redis.call('HEXISTS', k('run'), job) == 1 then return 0 end
redis.call('SADD', k('tenants'), t)
redis.call('HSET', k('jobs'), job, t .. '|' .. ARGV[7] .. '|' .. ARGV[8] .. '|' .. ARGV[9])
local q = k('q:' .. t)
local wasEmpty = redis.call('ZCARD', q) == 0
redis.call('ZADD', q, ARGV[9], job)
if wasEmpty then place(t) end
return 1
`;
