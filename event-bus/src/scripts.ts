import { createHash } from 'node:crypto';

import type { RedisClient } from './redis';

// Every move is one Lua script per bounded batch, defined by state: it reads the entries it moves in the same
// atomic call, so an entry already moved (by a repeat, a concurrent operator or a crashed earlier attempt) is
// simply not there any more. Scripts read before they write because Redis has no rollback.

// Shared by the move scripts, after their locals. A batch is checked whole before its first write, because Redis
// has no rollback: a write that fails half way (an XADD to a key that is not a stream) would leave the XADDs
// before it and never run the XDEL, so a repeat would copy those messages again.
// For a retry an entry is valid when it names an origin the service is configured for, that key is a stream (or
// absent), and it has a payload; an invalid entry is not moved, stays in the DLQ and is reported with the reason.
// Purges take every entry: an entry no retry can move must still be removable. Dry runs write nothing: 'check'
// counts what a retry would move, 'count' what a purge would remove.
const CHECK_AND_APPLY = `
local allowed = {}
for s in string.gmatch(streams, '[^,]+') do allowed[s] = true end
local function fieldsOf(f)
  local h = {}
  for j = 1, #f, 2 do h[f[j]] = f[j + 1] end
  return h
end
local function whyInvalid(h)
  local origin = h['stream']
  if origin == nil or origin == '' then return 'no origin stream' end
  if origin == dlq or not allowed[origin] then return 'origin stream not configured' end
  local kind = redis.call('TYPE', origin)['ok']
  if kind ~= 'stream' and kind ~= 'none' then return 'origin key is a ' .. kind .. ', not a stream' end
  if h['payload'] == nil then return 'no payload' end
  return nil
end
local takes, bad, considered = {}, {}, {}
local function consider(id, h)
  if considered[id] then return false end
  considered[id] = true
  if mode == 'retry' or mode == 'check' then
    local why = whyInvalid(h)
    if why then
      bad[#bad + 1] = id
      bad[#bad + 1] = why
      bad[#bad + 1] = h['stream'] or ''
      return false
    end
  end
  takes[#takes + 1] = { id, h }
  return true
end
local function apply()
  local dels, recs, per = {}, {}, {}
  for i = 1, #takes do
    local id, h = takes[i][1], takes[i][2]
    local origin = h['stream'] or ''
    if mode == 'retry' then
      local newId = redis.call('XADD', origin, '*', 'type', h['type'] or '', 'payload', h['payload'],
        'originalId', h['originalId'] or '', 'retryOf', id, 'retryOp', opId)
      recs[#recs + 1] = origin .. ' ' .. newId
    else
      recs[#recs + 1] = id
    end
    dels[#dels + 1] = id
    per[origin] = (per[origin] or 0) + 1
  end
  local done = #takes
  if (mode == 'retry' or mode == 'purge') and done > 0 then
    redis.call('XDEL', dlq, unpack(dels))
    for origin, n in pairs(per) do
      if redis.call('HINCRBY', counts, origin, -n) <= 0 then redis.call('HDEL', counts, origin) end
    end
    redis.call('HINCRBY', op, mode == 'retry' and 'retried' or 'purged', done)
    local t = redis.call('TIME')
    redis.call('HSET', op, 'updatedAt', tostring(tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)))
    if record then
      redis.call('RPUSH', moved, unpack(recs))
      redis.call('EXPIRE', moved, ttl)
      if mode == 'retry' then
        -- Provenance for the dead-letter script: only a message this retry wrote counts towards 'refailed'.
        redis.call('SADD', provenance, unpack(recs))
        redis.call('EXPIRE', provenance, ttl)
      end
    end
  end
  return done
end
`;

/**
 * Moves (retry), deletes (purge) or counts (check, count) DLQ entries in the range (start, upTo], at most `limit` of
 * them, looking at no more than `scan` entries.
 * KEYS: dlq, per-origin counts hash, operation record list, operation hash, operation retried set (`<stream> <id>`
 *       of each message a recorded retry wrote, for the dead-letter script's provenance check).
 * ARGV: mode, start ('-' or '(<id>'), upTo, scan, limit, stream filter ('' for all), operation id,
 *       record moves ('1'/'0'), key prefix, record ttl seconds, configured streams (comma-separated).
 * Returns { done, invalid, lastId, scanned, more, then id, reason, origin of each invalid entry }.
 */
const MOVE_RANGE =
  `
local dlq, counts, moved, op, provenance = KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5]
local mode, start, upTo = ARGV[1], ARGV[2], ARGV[3]
local scan, limit = tonumber(ARGV[4]), tonumber(ARGV[5])
local filter, opId, record, prefix, ttl = ARGV[6], ARGV[7], ARGV[8] == '1', ARGV[9], tonumber(ARGV[10])
local streams = ARGV[11]
local entries = redis.call('XRANGE', dlq, start, upTo, 'COUNT', scan)
local last, seen = '', 0
` +
  CHECK_AND_APPLY +
  `
for i = 1, #entries do
  if #takes >= limit then break end
  local id = entries[i][1]
  seen = i
  last = id
  local h = fieldsOf(entries[i][2])
  if filter == '' or (h['stream'] or '') == filter then
    consider(id, h)
  end
end
local done = apply()
local more = 0
if #entries == scan or seen < #entries then more = 1 end
local reply = { done, #bad / 3, last, seen, more }
for i = 1, #bad do reply[#reply + 1] = bad[i] end
return reply
`;

/**
 * Same as MOVE_RANGE for an explicit list of IDs. IDs not in the DLQ are skipped.
 * KEYS: dlq, counts, operation record list, operation hash, operation retried set.
 * ARGV: mode, operation id, record ('1'/'0'), key prefix, record ttl, configured streams, id...
 * Returns { done, skipped, invalid, then id, reason, origin of each invalid entry }.
 */
const MOVE_IDS =
  `
local dlq, counts, moved, op, provenance = KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5]
local mode, opId, record, prefix, ttl = ARGV[1], ARGV[2], ARGV[3] == '1', ARGV[4], tonumber(ARGV[5])
local streams = ARGV[6]
local skipped = 0
` +
  CHECK_AND_APPLY +
  `
for i = 7, #ARGV do
  local id = ARGV[i]
  local e = redis.call('XRANGE', dlq, id, id)
  if #e == 0 then
    skipped = skipped + 1
  else
    consider(id, fieldsOf(e[1][2]))
  end
end
local done = apply()
local reply = { done, skipped, #bad / 3 }
for i = 1, #bad do reply[#reply + 1] = bad[i] end
return reply
`;

/**
 * Dead-letters the messages of one consumer group whose Redis delivery count reached the limit (copy to the DLQ,
 * XACK and XDEL in this one call), then claims the other idle pending messages for another attempt. It claims
 * exactly the entries it judged, never the next ones along: those may have reached the limit unseen, and a claim
 * would deliver them once more than the limit allows.
 * A message carrying `retryOf` keeps it as data. It counts towards its operation's `refailed`, and its DLQ entry
 * names the operation (`retryOp`), only when the operation's retried set (`<prefix>op:<id>:retried`, written by a
 * recorded retry) holds `<stream> <id>` of this very message: the SREM proves the service retried it and makes it
 * count once. Any producer can XADD `retryOf`/`retryOp` fields; an unrecorded retry has no set, so it counts nothing.
 * That set and the operation hash are named by the message, so they are derived from the prefix, not passed in KEYS
 * (they share its hash tag).
 * KEYS: stream, dlq, counts, reasons hash, stats hash.
 * ARGV: group, consumer, min idle ms, delivery limit, count, key prefix.
 * Returns { deadLettered, payloadMissing, claimed entries }.
 */
const DEAD_LETTER = `
local stream, dlq, counts, reasons, stats = KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5]
local group, consumer, minIdle = ARGV[1], ARGV[2], ARGV[3]
local limit, count, prefix = tonumber(ARGV[4]), tonumber(ARGV[5]), ARGV[6]
local t = redis.call('TIME')
local now = tostring(tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000))
local pend = redis.call('XPENDING', stream, group, 'IDLE', minIdle, '-', '+', count)
local dead, missing, again = 0, 0, {}
for i = 1, #pend do
  local id, deliveries = pend[i][1], tonumber(pend[i][4])
  if deliveries < limit then
    again[#again + 1] = id
  else
    local rkey = stream .. ' ' .. id
    local reason = redis.call('HGET', reasons, rkey)
    if not reason then reason = 'DeliveryLimitExceeded: delivered ' .. deliveries .. ' times without an acknowledgement' end
    local e = redis.call('XRANGE', stream, id, id)
    if #e == 1 then
      local f = e[1][2]
      local h = {}
      for j = 1, #f, 2 do h[f[j]] = f[j + 1] end
      local fields = { 'stream', stream, 'originalId', h['originalId'] or id, 'type', h['type'] or '',
        'reason', reason, 'attempts', tostring(deliveries), 'deadLetteredAt', now, 'payload', h['payload'] or '' }
      if h['retryOf'] then
        table.insert(fields, 'retryOf')
        table.insert(fields, h['retryOf'])
        local opId = h['retryOp'] or ''
        if string.match(opId, '^op_%w+$') then
          -- TYPE first: a key of another type under the prefix must not fail the script on every run.
          local opKey = prefix .. 'op:' .. opId
          local setKey = opKey .. ':retried'
          if redis.call('TYPE', setKey)['ok'] == 'set' and redis.call('SREM', setKey, rkey) == 1 then
            table.insert(fields, 'retryOp')
            table.insert(fields, opId)
            if redis.call('TYPE', opKey)['ok'] == 'hash' then redis.call('HINCRBY', opKey, 'refailed', 1) end
          end
        end
      end
      redis.call('XADD', dlq, '*', unpack(fields))
      redis.call('HINCRBY', counts, stream, 1)
      redis.call('HINCRBY', stats, 'deadLettered:' .. stream, 1)
      redis.call('XACK', stream, group, id)
      redis.call('XDEL', stream, id)
      dead = dead + 1
    else
      redis.call('XACK', stream, group, id)
      missing = missing + 1
    end
    redis.call('HDEL', reasons, rkey)
  end
end
if #again == 0 then return { dead, missing, {} } end
return { dead, missing, redis.call('XCLAIM', stream, group, consumer, minIdle, unpack(again)) }
`;

/**
 * Adds DLQ entries directly (demo seeding, tests, benchmark), keeping the per-origin counts in step.
 * KEYS: dlq, counts, stats. ARGV: origin, type, reason, attempts, then payload... Returns the new IDs.
 */
const SEED = `
local dlq, counts, stats = KEYS[1], KEYS[2], KEYS[3]
local origin, typ, reason, attempts = ARGV[1], ARGV[2], ARGV[3], ARGV[4]
local t = redis.call('TIME')
local now = tostring(tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000))
local ids = {}
for i = 5, #ARGV do
  ids[#ids + 1] = redis.call('XADD', dlq, '*', 'stream', origin, 'originalId', '1-' .. i, 'type', typ,
    'reason', reason, 'attempts', attempts, 'deadLetteredAt', now, 'payload', ARGV[i])
end
redis.call('HINCRBY', counts, origin, #ids)
redis.call('HINCRBY', stats, 'deadLettered:' .. origin, #ids)
return ids
`;

/**
 * Reads DLQ entries with each payload cut to a preview inside Redis, so a producer's megabyte payloads never cross
 * the wire for a listing. One entry per XRANGE, and the call stops once it has read `budget` bytes, so one call
 * blocks Redis for a bounded time whatever the entries hold (at least one entry is always read).
 * KEYS: dlq. ARGV: start ('-', an ID, or '(' and an ID), count, preview bytes, budget bytes.
 * Returns { entries (payload cut, plus a payloadBytes field with the whole payload's length), more: 1 when the
 * budget, not the count or the stream's end, stopped the call }.
 */
const READ_DLQ = `
local dlq = KEYS[1]
local start, count, cap, budget = ARGV[1], tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4])
local out, bytes = {}, 0
while #out < count do
  if bytes >= budget then return { out, 1 } end
  local got = redis.call('XRANGE', dlq, start, '+', 'COUNT', 1)
  if #got == 0 then break end
  local id, f = got[1][1], got[1][2]
  local n, size = #f, 0
  for j = 1, n, 2 do
    local v = f[j + 1]
    bytes = bytes + #v
    if f[j] == 'payload' then
      size = #v
      if #v > cap then f[j + 1] = string.sub(v, 1, cap) end
    end
  end
  -- Last, so it wins over a payloadBytes field a producer wrote itself.
  f[n + 1] = 'payloadBytes'
  f[n + 2] = tostring(size)
  out[#out + 1] = { id, f }
  start = '(' .. id
end
return { out, 0 }
`;

/**
 * The first and last IDs of a stream, read inside Redis so their payloads never cross the wire.
 * KEYS: stream. Returns { first ID or false, last ID or false }.
 */
const STREAM_ENDS = `
local first = redis.call('XRANGE', KEYS[1], '-', '+', 'COUNT', 1)
local last = redis.call('XREVRANGE', KEYS[1], '+', '-', 'COUNT', 1)
return { first[1] and first[1][1] or false, last[1] and last[1][1] or false }
`;

/** Whether a stream holds an entry, without reading its payload out. KEYS: stream. ARGV: ID. Returns 1 or 0. */
const ENTRY_EXISTS = `
return #redis.call('XRANGE', KEYS[1], ARGV[1], ARGV[1])
`;

export const SCRIPTS = {
  streamEnds: STREAM_ENDS,
  entryExists: ENTRY_EXISTS,
  readDlq: READ_DLQ,
  moveRange: MOVE_RANGE,
  moveIds: MOVE_IDS,
  deadLetter: DEAD_LETTER,
  seed: SEED,
};

export type ScriptName = keyof typeof SCRIPTS;

export const SHAS = Object.fromEntries(
  Object.entries(SCRIPTS).map(([name, body]) => [name, createHash('sha1').update(body).digest('hex')])
) as Record<ScriptName, string>;

/**
 * Runs a script by SHA and loads it on NOSCRIPT (after a restart or SCRIPT FLUSH). NOSCRIPT means the script did
 * not run, so the second attempt cannot double a move.
 */
export async function runScript(
  client: RedisClient,
  name: ScriptName,
  keys: string[],
  args: Array<string | number>
): Promise<unknown> {
  const argv = [SHAS[name], String(keys.length), ...keys, ...args.map(String)];
  try {
    return await client.sendCommand(['EVALSHA', ...argv]);
  } catch (err) {
    if (err instanceof Error && err.message.startsWith('NOSCRIPT')) {
      await client.sendCommand(['SCRIPT', 'LOAD', SCRIPTS[name]]);
      return client.sendCommand(['EVALSHA', ...argv]);
    }
    throw err;
  }
}
