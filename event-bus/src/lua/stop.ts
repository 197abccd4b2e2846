// The brake on running retries and purges (src/stop.ts). Every replica registers the operations it starts in one
// sorted set, scored by their start in Redis time (microseconds), and a stop request stores its own time in the stop
// key. Both scripts read the other's key, so stops and starts are ordered as Redis ran them, whatever the replicas'
// clocks say and even within one microsecond: an operation stops when the stop key is later than its start.
//
// Lua numbers are doubles: microseconds since 1970 (about 1.8e15) stay exact below 2^53, and are written with
// string.format('%.0f') because tostring would print them as 1.7e+15.

/**
 * Registers a retry or purge as it starts, at a time later than the newest stop request, and forgets registrations
 * older than an operation record lives (left behind by a process that died).
 * KEYS: running set, stop key. ARGV: operation id, record ttl seconds.
 * Returns the start, in microseconds, as a string.
 */
export const OP_START = `
local running, stop = KEYS[1], KEYS[2]
local opId, ttl = ARGV[1], tonumber(ARGV[2])
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local requested = tonumber(redis.call('GET', stop) or '') or 0
if requested >= now then now = requested + 1 end
redis.call('ZREMRANGEBYSCORE', running, '-inf', string.format('(%.0f', now - ttl * 1000000))
redis.call('ZADD', running, string.format('%.0f', now), opId)
redis.call('EXPIRE', running, ttl)
return string.format('%.0f', now)
`;

/**
 * Asks every operation registered so far to stop after its current batch: sets the stop key to a time later than
 * the newest start. When the stop key is already later than every start, nothing started since the last request,
 * so that request stands (a repeat gets the same answer) and only its TTL is renewed.
 * KEYS: stop key, running set. ARGV: stop key ttl seconds.
 * Returns { request time in microseconds, 1 if this call made the request and 0 for a repeat, then the id and the
 * start of each operation registered before the request }.
 */
export const STOP = `
local stop, running = KEYS[1], KEYS[2]
local ttl = ARGV[1]
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local newest = redis.call('ZREVRANGE', running, 0, 0, 'WITHSCORES')
local newestStart = tonumber(newest[2] or '') or 0
local requested = tonumber(redis.call('GET', stop) or '')
local fresh = 0
if requested == nil or requested <= newestStart then
  requested = math.max(now, newestStart + 1)
  fresh = 1
end
local at = string.format('%.0f', requested)
redis.call('SET', stop, at, 'EX', ttl)
local reply = { at, fresh }
local before = redis.call('ZRANGEBYSCORE', running, '-inf', '(' .. at, 'WITHSCORES')
for i = 1, #before do reply[#reply + 1] = before[i] end
return reply
`;
