import { FAILURE_INDEX } from './failureIndex';

// The retry and purge scripts. Every move is one Lua script per bounded batch, defined by state: it reads the
// entries it moves in the same atomic call, so an entry already moved (by a repeat, a concurrent operator or a
// crashed earlier attempt) is simply not there any more. Scripts read before they write because Redis has no
// rollback.

// Shared by the move scripts, after their locals. A batch is checked whole before its first write, because Redis
// has no rollback: a write that fails half way (an XADD to a key that is not a stream) would leave the XADDs
// before it and never run the XDEL, so a repeat would copy those messages again.
// For a retry an entry is valid when it names an origin the service is configured for, that key is a stream (or
// absent), and it has a payload; an invalid entry is not moved, stays in the DLQ and is reported with the reason.
// Purges take every entry: an entry no retry can move must still be removable. Dry runs write nothing: 'check'
// counts what a retry would move, 'count' what a purge would remove.
const CHECK_AND_APPLY =
  FAILURE_INDEX +
  `
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
    if mode == 'retry' or mode == 'purge' then unfile(id, h) end
  end
  local done = #takes
  if (mode == 'retry' or mode == 'purge') and done > 0 then
    redis.call('XDEL', dlq, unpack(dels))
    flushUnfiled()
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
export const MOVE_RANGE =
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
export const MOVE_IDS =
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
 * One batch of a retry or purge of failure groups: the entries of one group (failureIndex.ts) after a member and up
 * to the operation's bound, so it never reads an entry of another group.
 * KEYS: dlq, counts, moved list, operation hash, provenance set.
 * ARGV: mode, group ID, exclusive start member ('' for the beginning), inclusive last member, limit, operation ID,
 * record flag, key prefix, ttl, configured streams.
 * Returns { done, missing, invalid, last member or false, 1 if the batch was full, then id, why, origin... }.
 */
export const MOVE_GROUP =
  `
local dlq, counts, moved, op, provenance = KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5]
local mode, gid, after, upTo, limit = ARGV[1], ARGV[2], ARGV[3], ARGV[4], tonumber(ARGV[5])
local opId, record, prefix, ttl, streams = ARGV[6], ARGV[7] == '1', ARGV[8], tonumber(ARGV[9]), ARGV[10]
` +
  CHECK_AND_APPLY +
  `
local key = prefix .. 'dlq:group:' .. gid
local members = redis.call('ZRANGEBYLEX', key, after == '' and '-' or '(' .. after, '[' .. upTo, 'LIMIT', 0, limit)
local missing = 0
for i = 1, #members do
  local id = idOfMember(members[i])
  local e = redis.call('XRANGE', dlq, id, id)
  if #e == 0 then missing = missing + 1 else consider(id, fieldsOf(e[1][2])) end
end
local done = apply()
local reply = { done, missing, #bad / 3, members[#members] or false, #members == limit and 1 or 0 }
for i = 1, #bad do reply[#reply + 1] = bad[i] end
return reply
`;
