import { FAILURE_INDEX } from './failureIndex';

/**
 * Adds DLQ entries directly (demo seeding, tests, benchmark), keeping the per-origin counts in step.
 * Files them in the failure index (failureIndex.ts) like the dead-letter script does.
 * KEYS: dlq, counts, stats. ARGV: origin, type, reason, attempts, key prefix, then payload... Returns the new IDs.
 */
export const SEED =
  `
local dlq, counts, stats = KEYS[1], KEYS[2], KEYS[3]
local origin, typ, reason, attempts, prefix = ARGV[1], ARGV[2], ARGV[3], ARGV[4], ARGV[5]
` +
  FAILURE_INDEX +
  `
local t = redis.call('TIME')
local now = tostring(tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000))
local ids = {}
for i = 6, #ARGV do
  ids[#ids + 1] = redis.call('XADD', dlq, '*', 'stream', origin, 'originalId', '1-' .. i, 'type', typ,
    'reason', reason, 'attempts', attempts, 'deadLetteredAt', now, 'payload', ARGV[i])
  fileEntry(ids[#ids], { stream = origin, type = typ, reason = reason })
end
redis.call('HINCRBY', counts, origin, #ids)
redis.call('HINCRBY', stats, 'deadLettered:' .. origin, #ids)
return ids
`;
