import { FAILURE_INDEX } from './failureIndex';

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
 * Files each new DLQ entry in the failure index (failureIndex.ts).
 * Returns { deadLettered, payloadMissing, claimed entries }.
 */
export const DEAD_LETTER =
  `
local stream, dlq, counts, reasons, stats = KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5]
local group, consumer, minIdle = ARGV[1], ARGV[2], ARGV[3]
local limit, count, prefix = tonumber(ARGV[4]), tonumber(ARGV[5]), ARGV[6]
` +
  FAILURE_INDEX +
  `
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
      local dlqId = redis.call('XADD', dlq, '*', unpack(fields))
      fileEntry(dlqId, { stream = stream, type = h['type'] or '', reason = reason })
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
