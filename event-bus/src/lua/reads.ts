// Reads that stay inside Redis, so payloads never cross the wire whole.

/**
 * A Lua function that cuts an entry's payload to `cap` bytes in place and appends `payloadBytes`, its whole size (last,
 * so it wins over a payloadBytes field a producer wrote itself); returns the bytes of the entry's values.
 */
export const PREVIEW_ENTRY = `
local function previewEntry(f, cap)
  local n, size, bytes = #f, 0, 0
  for j = 1, n, 2 do
    local v = f[j + 1]
    bytes = bytes + #v
    if f[j] == 'payload' then
      size = #v
      if #v > cap then f[j + 1] = string.sub(v, 1, cap) end
    end
  end
  f[n + 1] = 'payloadBytes'
  f[n + 2] = tostring(size)
  return bytes
end
`;

/**
 * Reads DLQ entries with each payload cut to a preview inside Redis, so a producer's megabyte payloads never cross
 * the wire for a listing. One entry per XRANGE, and the call stops once it has read `budget` bytes, so one call
 * blocks Redis for a bounded time whatever the entries hold (at least one entry is always read).
 * KEYS: dlq. ARGV: start ('-', an ID, or '(' and an ID), count, preview bytes, budget bytes.
 * Returns { entries (payload cut, plus a payloadBytes field with the whole payload's length), more: 1 when the
 * budget, not the count or the stream's end, stopped the call }.
 */
export const READ_DLQ =
  `
local dlq = KEYS[1]
local start, count, cap, budget = ARGV[1], tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4])
` +
  PREVIEW_ENTRY +
  `
local out, bytes = {}, 0
while #out < count do
  if bytes >= budget then return { out, 1 } end
  local got = redis.call('XRANGE', dlq, start, '+', 'COUNT', 1)
  if #got == 0 then break end
  local id = got[1][1]
  bytes = bytes + previewEntry(got[1][2], cap)
  out[#out + 1] = got[1]
  start = '(' .. id
end
return { out, 0 }
`;

/**
 * The first and last IDs of a stream, read inside Redis so their payloads never cross the wire.
 * KEYS: stream. Returns { first ID or false, last ID or false }.
 */
export const STREAM_ENDS = `
local first = redis.call('XRANGE', KEYS[1], '-', '+', 'COUNT', 1)
local last = redis.call('XREVRANGE', KEYS[1], '+', '-', 'COUNT', 1)
return { first[1] and first[1][1] or false, last[1] and last[1][1] or false }
`;

/** Whether a stream holds an entry, without reading its payload out. KEYS: stream. ARGV: ID. Returns 1 or 0. */
export const ENTRY_EXISTS = `
return #redis.call('XRANGE', KEYS[1], ARGV[1], ARGV[1])
`;
