import { createHash } from 'node:crypto';

import type { RedisClient } from '../redis';
import { DEAD_LETTER } from './deadLetter';
import { READ_GROUP, READ_GROUPS, REPAIR_PRUNE, REPAIR_SCAN } from './failureIndex';
import { MOVE_GROUP, MOVE_IDS, MOVE_RANGE } from './move';
import { ENTRY_EXISTS, READ_DLQ, STREAM_ENDS } from './reads';
import { SEED } from './seed';
import { OP_START, STOP } from './stop';

// The Lua scripts the service runs, one module per family (move: retry and purge; deadLetter: the demo workers;
// reads: listings and health; seed: demo, tests and benchmark; failureIndex: the failure groups and their repair;
// stop: the brake on running retries and purges), and the runner that calls them by SHA.

export const SCRIPTS = {
  streamEnds: STREAM_ENDS,
  entryExists: ENTRY_EXISTS,
  readDlq: READ_DLQ,
  moveRange: MOVE_RANGE,
  moveIds: MOVE_IDS,
  moveGroup: MOVE_GROUP,
  deadLetter: DEAD_LETTER,
  seed: SEED,
  readGroups: READ_GROUPS,
  readGroup: READ_GROUP,
  repairScan: REPAIR_SCAN,
  repairPrune: REPAIR_PRUNE,
  opStart: OP_START,
  stop: STOP,
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
