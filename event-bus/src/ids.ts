// Stream entry IDs are two unsigned 64-bit integers; BigInt keeps the comparison exact past 2^53.

const MAX_U64 = (1n << 64n) - 1n;
const ID_PATTERN = /^([0-9]{1,20})-([0-9]{1,20})$/;
// Clocks of the service and Redis may differ a little; anything further ahead is a typo or a probe.
const FUTURE_SLACK_MS = 60_000;

export interface ParsedId {
  ms: bigint;
  seq: bigint;
}

export function parseId(id: string): ParsedId | null {
  const m = ID_PATTERN.exec(id);
  if (!m) {
    return null;
  }
  const ms = BigInt(m[1]);
  const seq = BigInt(m[2]);
  if (ms > MAX_U64 || seq > MAX_U64) {
    return null;
  }
  return { ms, seq };
}

export function compareIds(a: string, b: string): number {
  const pa = parseId(a);
  const pb = parseId(b);
  if (!pa || !pb) {
    throw new Error(`not stream IDs: ${a}, ${b}`);
  }
  if (pa.ms !== pb.ms) {
    return pa.ms < pb.ms ? -1 : 1;
  }
  if (pa.seq !== pb.seq) {
    return pa.seq < pb.seq ? -1 : 1;
  }
  return 0;
}

/** Returns a sentence for an operator when `id` cannot name a DLQ entry, or null when it can. */
export function idProblem(id: string, field: string, now = Date.now()): string | null {
  const parsed = parseId(id);
  if (!parsed) {
    return `${field} must be a stream entry ID like 1764172800000-0 (two whole numbers below 2^64).`;
  }
  if (parsed.ms === 0n && parsed.seq === 0n) {
    return `${field} must not be 0-0: no stream entry has that ID.`;
  }
  if (parsed.ms > BigInt(now + FUTURE_SLACK_MS)) {
    return `${field} lies in the future; use an ID the DLQ listing returned.`;
  }
  return null;
}

/** An ID as the failure index stores it: both halves zero-padded to 20 digits, so that they sort as IDs do. */
export function paddedId(id: string): string {
  const [ms, seq] = id.split('-');
  return `${ms.padStart(20, '0')}-${(seq ?? '0').padStart(20, '0')}`;
}
