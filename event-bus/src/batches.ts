import { paddedId } from './ids';
import { runScript } from './lua';
import { INVALID_REPORTED, type MutationResult } from './operations';
import { KEYS, type RedisClient } from './redis';

// The three ways a retry or purge walks the DLQ, one Lua script per batch (lua/move.ts): the IDs it was given, every
// entry up to a bound, or the entries of failure groups up to a bound. Each adds its counts to the operation's result
// as batches return, and stops after the current batch once the service is shutting down (outcome 'partial') or an
// operator asked for a stop (outcome 'stopped'). Each batch is one atomic script, so stopping between two of them
// leaves every entry in one place.

export interface BatchRun {
  client: RedisClient;
  batchSize: number;
  /** dlq, counts, moved list, operation hash, provenance set. */
  keys: string[];
  args: { mode: string; operationId: string; flag: string; ttl: string; streams: string };
  result: MutationResult;
  /** The service is shutting down. */
  isStopping: () => boolean;
  /** An operator asked every running operation to stop (POST /api/events/dlq/stop); asked before each batch. */
  stopRequested: () => Promise<boolean>;
  onBatch?: (done: number) => void | Promise<void>;
}

/** Keeps the first INVALID_REPORTED entries a batch left in the DLQ as invalid, from its `id, reason, origin`s. */
function noteInvalid(result: MutationResult, reasons: string[]): void {
  for (let i = 0; i + 2 < reasons.length && result.invalidEntries.length < INVALID_REPORTED; i += 3) {
    result.invalidEntries.push({ id: String(reasons[i]), why: String(reasons[i + 1]), stream: String(reasons[i + 2]) });
  }
}

/** Counts one batch into the result and tells the test hook. */
async function afterBatch(run: BatchRun, done: number, invalid: number, reasons: string[]): Promise<void> {
  run.result.done += done;
  run.result.invalid += invalid;
  noteInvalid(run.result, reasons);
  run.result.batches++;
  await run.onBatch?.(run.result.done);
}

/** Whether to stop before the next batch, and with what outcome; only asked when there is a next batch. */
async function stopped(run: BatchRun): Promise<boolean> {
  if (run.isStopping()) {
    run.result.outcome = 'partial';
    return true;
  }
  if (await run.stopRequested()) {
    run.result.outcome = 'stopped';
    return true;
  }
  return false;
}

export async function moveByIds(run: BatchRun, ids: string[]): Promise<void> {
  const { mode, operationId, flag, ttl, streams } = run.args;
  for (let i = 0; i < ids.length && !(await stopped(run)); i += run.batchSize) {
    const batch = ids.slice(i, i + run.batchSize);
    const [done, skipped, invalid, ...reasons] = (await runScript(run.client, 'moveIds', run.keys, [
      mode,
      operationId,
      flag,
      KEYS.prefix,
      ttl,
      streams,
      ...batch,
    ])) as [number, number, number, ...string[]];
    // Entries no retry can move stay in the DLQ, count as skipped and are reported with their reason.
    run.result.skipped += skipped + invalid;
    await afterBatch(run, done, invalid, reasons);
  }
}

export async function moveByRange(run: BatchRun, upToId: string, stream: string, max: number): Promise<void> {
  const { mode, operationId, flag, ttl, streams } = run.args;
  let start = '-';
  for (;;) {
    const limit = Math.min(run.batchSize, max - run.result.done);
    if (limit <= 0 || (await stopped(run))) {
      break;
    }
    const [done, invalid, last, , more, ...reasons] = (await runScript(run.client, 'moveRange', run.keys, [
      mode,
      start,
      upToId,
      run.batchSize,
      limit,
      stream,
      operationId,
      flag,
      KEYS.prefix,
      ttl,
      streams,
    ])) as [number, number, string, number, number, ...string[]];
    await afterBatch(run, done, invalid, reasons);
    if (!more || last === '') {
      break;
    }
    start = `(${last}`;
  }
  run.result.skipped = run.result.invalid;
}

/** Each selected failure group oldest first up to the bound (MOVE_GROUP): never an entry of another group. */
export async function moveByGroups(run: BatchRun, groups: string[], upToId: string, max: number): Promise<void> {
  const { mode, operationId, flag, ttl, streams } = run.args;
  const upTo = paddedId(upToId);
  for (const gid of groups) {
    let after = '';
    for (;;) {
      const limit = Math.min(run.batchSize, max - run.result.done);
      if (limit <= 0) {
        return;
      }
      if (await stopped(run)) {
        break;
      }
      const [done, missing, invalid, last, full, ...reasons] = (await runScript(run.client, 'moveGroup', run.keys, [
        mode,
        gid,
        after,
        upTo,
        limit,
        operationId,
        flag,
        KEYS.prefix,
        ttl,
        streams,
      ])) as [number, number, number, string | null, number, ...string[]];
      run.result.skipped += missing + invalid;
      await afterBatch(run, done, invalid, reasons);
      if (!full || !last) {
        break;
      }
      after = last;
    }
    if (run.result.outcome !== 'ok') {
      return;
    }
  }
}
