import { PREVIEW_ENTRY } from './reads';

/**
 * The failure index: every DLQ entry filed under its failure group (origin stream, message type, failure class), so
 * GET /api/events/dlq/groups costs the same at a million entries as at a thousand. Included in every script that adds
 * DLQ entries (dead-letter, seed) or removes them (retry, purge), so the index changes in the same atomic call as the
 * DLQ. Needs a local `prefix` (the key prefix, `{events}:`) before it.
 *
 * Keys, all under the prefix's hash tag:
 * - `dlq:groups` (hash): group ID → JSON `{stream, type, failureClass, sampleId, sampleReason}`, the first entry seen.
 * - `dlq:group:<group ID>` (sorted set, all scores 0): the group's entry IDs, zero-padded so that they sort by ID.
 * - `dlq:index` (hash): `indexed`, how many entries the sorted sets hold; `lastAdded`, the newest ID filed.
 * An entry another producer adds with a plain XADD, or removes with XDEL or XTRIM, is not filed or unfiled here: the
 * groups reader notices (the DLQ's length differs from `indexed`, or its newest ID is past `lastAdded`) and repairs
 * the index in the background (REPAIR_SCAN, REPAIR_PRUNE).
 *
 * The failure class of a reason (documented in docs/event-bus-api.md): its first line (its first 1,000 bytes), with
 * double-quoted, backtick-quoted and single-quoted values, UUIDs, stream IDs, long hexadecimal IDs and whole-word
 * numbers replaced by placeholders, white space collapsed, cut to 100 bytes at a character boundary; `(no reason)`
 * when nothing is left.
 * Past MAX_GROUPS groups, a new class is filed as `(other)` of its stream and type, so hostile reasons cannot make the
 * index grow a group per entry.
 */
export const MAX_GROUPS = 1000;

export const FAILURE_INDEX = `
local groupsKey, indexKey = prefix .. 'dlq:groups', prefix .. 'dlq:index'
local OTHER = '(other)'
local classes = {}
local function failureClass(reason)
  reason = reason or ''
  if classes[reason] then return classes[reason] end
  -- The first line, and of a huge one its first 1,000 bytes: the class keeps 100, masking needs no more.
  local s = string.sub(string.match(reason, '^[^\\r\\n]*'), 1, 1000)
  s = string.gsub(s, '"[^"]*"', '"<s>"')
  s = string.gsub(s, '\`[^\`]*\`', '\`<s>\`')
  s = string.gsub(s, "^'[^']*'", "'<s>'")
  s = string.gsub(s, "([^%w])'[^']*'", "%1'<s>'")
  s = string.gsub(s, '%x%x%x%x%x%x%x%x%-%x%x%x%x%-%x%x%x%x%-%x%x%x%x%-%x%x%x%x%x%x%x%x%x%x%x%x', '<id>')
  s = string.gsub(s, '%f[%w]%d+%-%d+%f[^%w]', '<id>')
  s = string.gsub(s, '%f[%w]%x+%f[^%w]', function(h)
    if #h >= 8 and string.find(h, '%d') and string.find(h, '%a') then return '<id>' end
  end)
  s = string.gsub(s, '%f[%w]%d[%d.,]*%f[^%w]', '<n>')
  s = string.gsub(string.gsub(s, '%s+', ' '), '^ ', '')
  s = string.gsub(s, ' $', '')
  if #s > 100 then
    s = string.sub(s, 1, 100)
    local lead = string.find(s, '[\\192-\\255][\\128-\\191]*$')
    if lead then
      local b = string.byte(s, lead)
      local need = b >= 240 and 4 or (b >= 224 and 3 or 2)
      if #s - lead + 1 < need then s = string.sub(s, 1, lead - 1) end
    end
  end
  if s == '' then s = '(no reason)' end
  classes[reason] = s
  return s
end
local function groupIdOf(origin, typ, class)
  return string.sub(redis.sha1hex(origin .. '\\0' .. typ .. '\\0' .. class), 1, 16)
end
local function padded(id)
  local ms, seq = string.match(id, '^(%d+)%-(%d+)$')
  return string.rep('0', 20 - #ms) .. ms .. '-' .. string.rep('0', 20 - #seq) .. seq
end
local function idOfMember(member)
  local ms, seq = string.match(member, '^0*(%d+)%-0*(%d+)$')
  return ms .. '-' .. seq
end
local function newerId(a, b)
  if not a or a == '' then return true end
  return padded(b) > padded(a)
end
-- Files one entry (its fields as a table); returns 1 when it was not filed yet.
local function fileEntry(id, h)
  local origin, typ, reason = h['stream'] or '', h['type'] or '', h['reason'] or ''
  local class = failureClass(reason)
  local gid = groupIdOf(origin, typ, class)
  if redis.call('HEXISTS', groupsKey, gid) == 0 then
    if redis.call('HLEN', groupsKey) >= ${MAX_GROUPS} then
      class = OTHER
      gid = groupIdOf(origin, typ, class)
    end
    if redis.call('HEXISTS', groupsKey, gid) == 0 then
      redis.call('HSET', groupsKey, gid, cjson.encode({ stream = origin, type = typ, failureClass = class,
        sampleId = id, sampleReason = string.sub(string.match(reason, '^[^\\r\\n]*'), 1, 300) }))
    end
  end
  local added = redis.call('ZADD', prefix .. 'dlq:group:' .. gid, 0, padded(id))
  if added == 1 then
    redis.call('HINCRBY', indexKey, 'indexed', 1)
    if newerId(redis.call('HGET', indexKey, 'lastAdded'), id) then redis.call('HSET', indexKey, 'lastAdded', id) end
  end
  return added
end
-- Unfiling is batched: unfile() notes an entry that left the DLQ, flushUnfiled() removes the noted entries with one
-- ZREM per group and returns how many were filed.
local unfiling, unfilingOrder = {}, {}
local gids = {}
local function unfile(id, h)
  local origin, typ = h['stream'] or '', h['type'] or ''
  local class = failureClass(h['reason'])
  local k = origin .. '\\0' .. typ .. '\\0' .. class
  local gid = gids[k]
  if not gid then
    gid = groupIdOf(origin, typ, class)
    gids[k] = gid
  end
  local batch = unfiling[gid]
  if not batch then
    batch = { origin = origin, typ = typ, members = {} }
    unfiling[gid] = batch
    unfilingOrder[#unfilingOrder + 1] = gid
  end
  batch.members[#batch.members + 1] = padded(id)
end
local function flushUnfiled()
  local removed = 0
  for _, gid in ipairs(unfilingOrder) do
    local batch = unfiling[gid]
    local key = prefix .. 'dlq:group:' .. gid
    local n = redis.call('ZREM', key, unpack(batch.members))
    if redis.call('ZCARD', key) == 0 then redis.call('HDEL', groupsKey, gid) end
    if n < #batch.members then
      -- Filed as (other) when the index was full, or never filed (another producer's XADD not yet repaired).
      local otherGid = groupIdOf(batch.origin, batch.typ, OTHER)
      local otherKey = prefix .. 'dlq:group:' .. otherGid
      if redis.call('EXISTS', otherKey) == 1 then
        n = n + redis.call('ZREM', otherKey, unpack(batch.members))
        if redis.call('ZCARD', otherKey) == 0 then redis.call('HDEL', groupsKey, otherGid) end
      end
    end
    removed = removed + n
  end
  if removed > 0 then redis.call('HINCRBY', indexKey, 'indexed', -removed) end
  unfiling, unfilingOrder = {}, {}
  return removed
end
`;

/**
 * Repair, step one: files the DLQ entries from a cursor on that the index lacks (another producer's XADD).
 * KEYS: dlq. ARGV: key prefix, exclusive start ID ('-' for the beginning), how many entries at most.
 * Returns { entries read, entries newly filed, last ID read or false at the end }.
 */
export const REPAIR_SCAN =
  `
local dlq, prefix, after, count = KEYS[1], ARGV[1], ARGV[2], tonumber(ARGV[3])
` +
  FAILURE_INDEX +
  `
-- One entry at a time and at most about 1 MiB of them per call, so huge entries written by others cannot hold Redis
-- for long (one is always read).
local read, filed, bytes, last = 0, 0, 0, nil
local start = after == '-' and '-' or '(' .. after
while read < count and bytes < 1048576 do
  local entries = redis.call('XRANGE', dlq, start, '+', 'COUNT', 1)
  if #entries == 0 then return { read, filed, false } end
  local f, h = entries[1][2], {}
  for j = 1, #f, 2 do
    h[f[j]] = f[j + 1]
    bytes = bytes + #f[j + 1]
  end
  filed = filed + fileEntry(entries[1][1], h)
  last = entries[1][1]
  read = read + 1
  start = '(' .. last
end
return { read, filed, last }
`;

/**
 * Repair, step two: unfiles the entries of one group that are no longer in the DLQ (another producer's XDEL or
 * XTRIM). KEYS: dlq. ARGV: key prefix, group ID, exclusive start member ('' for the beginning), how many.
 * Returns { members checked, members removed, last member checked or false at the end }.
 */
export const REPAIR_PRUNE =
  `
local dlq, prefix, gid, after, count = KEYS[1], ARGV[1], ARGV[2], ARGV[3], tonumber(ARGV[4])
` +
  FAILURE_INDEX +
  `
local key = prefix .. 'dlq:group:' .. gid
local members = redis.call('ZRANGEBYLEX', key, after == '' and '-' or '(' .. after, '+', 'LIMIT', 0, count)
-- Checking that an entry exists copies it inside Redis: stop after about 1 MiB of them (one is always checked).
local removed, checked, bytes = 0, 0, 0
for i = 1, #members do
  local id = idOfMember(members[i])
  local e = redis.call('XRANGE', dlq, id, id)
  checked = i
  if #e == 0 then
    redis.call('ZREM', key, members[i])
    redis.call('HINCRBY', indexKey, 'indexed', -1)
    removed = removed + 1
  else
    for j = 2, #e[1][2], 2 do bytes = bytes + #e[1][2][j] end
    if bytes >= 1048576 then break end
  end
end
if redis.call('ZCARD', key) == 0 then redis.call('HDEL', groupsKey, gid) end
if checked == #members and #members < count then return { checked, removed, false } end
return { checked, removed, members[checked] }
`;

/**
 * The groups as they are now, with what tells whether the index can be trusted. KEYS: dlq. ARGV: key prefix.
 * Returns { DLQ length, newest DLQ ID or false, indexed, lastAdded or false, then per group: ID, JSON, count,
 * oldest member, newest member }.
 */
export const READ_GROUPS = `
local dlq, prefix = KEYS[1], ARGV[1]
local groupsKey, indexKey = prefix .. 'dlq:groups', prefix .. 'dlq:index'
local last = redis.call('XREVRANGE', dlq, '+', '-', 'COUNT', 1)
local reply = { redis.call('XLEN', dlq), last[1] and last[1][1] or false,
  tonumber(redis.call('HGET', indexKey, 'indexed') or '0'), redis.call('HGET', indexKey, 'lastAdded') or false }
local groups = redis.call('HGETALL', groupsKey)
for i = 1, #groups, 2 do
  local key = prefix .. 'dlq:group:' .. groups[i]
  local first = redis.call('ZRANGE', key, 0, 0)
  local newest = redis.call('ZRANGE', key, -1, -1)
  reply[#reply + 1] = groups[i]
  reply[#reply + 1] = groups[i + 1]
  reply[#reply + 1] = redis.call('ZCARD', key)
  reply[#reply + 1] = first[1] or ''
  reply[#reply + 1] = newest[1] or ''
end
return reply
`;

/**
 * One page of a failure group's entries, oldest first, read through the group's sorted set so that its cost follows
 * the page, not the DLQ. Members whose entry left the DLQ behind the index (another producer's XDEL) are skipped.
 * KEYS: dlq. ARGV: key prefix, origin stream, type, failure class, exclusive start ID ('' for the beginning), how
 * many entries, payload preview bytes, copy budget in bytes.
 * Returns { entries (each { id, fields } with payloadBytes appended), 1 when members may remain, the last member
 * checked as an ID or false, the group's count }.
 */
export const READ_GROUP =
  `
local dlq, prefix = KEYS[1], ARGV[1]
local origin, typ, class, after = ARGV[2], ARGV[3], ARGV[4], ARGV[5]
local count, cap, budget = tonumber(ARGV[6]), tonumber(ARGV[7]), tonumber(ARGV[8])
` +
  FAILURE_INDEX +
  PREVIEW_ENTRY +
  `
local key = prefix .. 'dlq:group:' .. groupIdOf(origin, typ, class)
-- Twice the page: a few missing members do not need another call; one call checks no more than that.
local members = redis.call('ZRANGEBYLEX', key, after == '' and '-' or '(' .. padded(after), '+', 'LIMIT', 0, count * 2)
local out, bytes, last = {}, 0, false
local i = 0
while i < #members and #out < count and bytes < budget do
  i = i + 1
  local id = idOfMember(members[i])
  last = id
  local got = redis.call('XRANGE', dlq, id, id)
  if #got == 1 then
    bytes = bytes + previewEntry(got[1][2], cap)
    out[#out + 1] = got[1]
  end
end
local more = (i < #members or #members == count * 2) and 1 or 0
return { out, more, last, redis.call('ZCARD', key) }
`;
