import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import { HealthReadings, ReadingTimeout, type ReadingOptions } from '../src/store/healthReadings';

// The clock that decides "slow", "recent" and "overdue" is a variable moved by hand; only the short wait of a busy
// request is a real timer. Each reading is a promise the test settles, so nothing here depends on machine speed.

const OPTIONS: ReadingOptions = { waitMs: 20, slowMs: 250, maxAgeMs: 5000, timeoutMs: 1000 };

interface Pending {
  startedAt: number;
  resolve: (value: string) => void;
  reject: (err: Error) => void;
}

function setup() {
  let clock = 10_000;
  const reads: Pending[] = [];
  const readings = new HealthReadings<string>(
    (startedAt) =>
      new Promise<string>((resolve, reject) => {
        reads.push({ startedAt, resolve, reject });
      }),
    OPTIONS,
    () => clock
  );
  const tick = (ms: number) => {
    clock += ms;
  };
  /** Lets the reading's own callbacks run before the next request. */
  const settle = () => new Promise((r) => setImmediate(r));
  return { readings, reads, tick, settle };
}

/** Makes Redis "busy": one reading that took longer than slowMs, answering `value`. */
async function busyWith(s: ReturnType<typeof setup>, value: string): Promise<void> {
  const answer = s.readings.get();
  s.tick(OPTIONS.slowMs + 1);
  s.reads[s.reads.length - 1].resolve(value);
  assert.equal(await answer, value);
  await s.settle();
}

describe('health readings', () => {
  test('while readings are quick, every request waits for a reading of its own', async () => {
    const s = setup();
    for (const value of ['first', 'second', 'third']) {
      const answer = s.readings.get();
      s.tick(5);
      s.reads[s.reads.length - 1].resolve(value);
      assert.equal(await answer, value);
      await s.settle();
    }
    assert.equal(s.reads.length, 3);
  });

  test('requests arriving together share one reading', async () => {
    const s = setup();
    const answers = [s.readings.get(), s.readings.get(), s.readings.get()];
    assert.equal(s.reads.length, 1);
    s.reads[0].resolve('shared');
    assert.deepEqual(await Promise.all(answers), ['shared', 'shared', 'shared']);
  });

  test('once a reading was slow, a request answers from the newest reading instead of waiting for its own', async () => {
    const s = setup();
    await busyWith(s, 'newest');
    s.tick(1000);
    const answer = await s.readings.get();
    assert.equal(answer, 'newest');
    assert.equal(s.reads.length, 2, 'a reading of its own was started');
    s.tick(OPTIONS.slowMs + 1);
    s.reads[1].resolve('fresh');
    await s.settle();
    assert.equal(await s.readings.get(), 'fresh', 'the next request gets the reading that finished meanwhile');
  });

  test('while busy, a reading that finishes within the short wait is the answer', async () => {
    const s = setup();
    await busyWith(s, 'old');
    const answer = s.readings.get();
    s.reads[1].resolve('own');
    assert.equal(await answer, 'own');
  });

  test('a newest reading older than the limit is never served: the request waits for its own', async () => {
    const s = setup();
    await busyWith(s, 'old');
    s.tick(OPTIONS.maxAgeMs + 1);
    let answered = false;
    const answer = s.readings.get().then((v) => {
      answered = true;
      return v;
    });
    await new Promise((r) => setTimeout(r, OPTIONS.waitMs * 3));
    assert.equal(answered, false, 'it did not answer with the old reading');
    s.reads[1].resolve('own');
    assert.equal(await answer, 'own');
  });

  test('a Redis that has not answered for the timeout is reported, never hidden behind the newest reading', async () => {
    const s = setup();
    await busyWith(s, 'old');
    const first = await s.readings.get();
    assert.equal(first, 'old');
    s.tick(OPTIONS.timeoutMs);
    await assert.rejects(s.readings.get(), ReadingTimeout);
    assert.equal(s.reads.length, 3, 'an overdue reading is left to finish; a new one is started');
    s.reads[2].resolve('back');
    await s.settle();
    const next = s.readings.get();
    s.reads[3].resolve('answering again');
    assert.equal(await next, 'answering again', 'once Redis answers, requests are answered again');
  });

  test('when not busy, a request that gets no answer by its reading timeout is reported', async () => {
    const s = setup();
    const answer = s.readings.get();
    s.tick(OPTIONS.timeoutMs);
    await assert.rejects(s.readings.get(), ReadingTimeout);
    s.reads[0].resolve('late');
    assert.equal(await answer, 'late', 'a request already waiting still gets the late answer');
  });

  test('a failed reading is never served again', async () => {
    const s = setup();
    await busyWith(s, 'before the failure');
    const failing = s.readings.get();
    s.reads[1].reject(new Error('OOM'));
    await assert.rejects(failing, /OOM/);
    await s.settle();
    let answered = false;
    const next = s.readings.get().then((v) => {
      answered = true;
      return v;
    });
    await new Promise((r) => setTimeout(r, OPTIONS.waitMs * 3));
    assert.equal(answered, false, 'no newest reading is left to answer with');
    s.reads[2].resolve('after');
    assert.equal(await next, 'after');
  });

  test('after invalidate, a reading started before it is never served', async () => {
    const s = setup();
    await busyWith(s, 'before');
    const during = s.readings.get();
    s.readings.invalidate();
    s.reads[1].resolve('started before');
    await during;
    await s.settle();
    const after = s.readings.get();
    assert.equal(s.reads.length, 3, 'the request after invalidate reads again');
    s.reads[2].resolve('after');
    assert.equal(await after, 'after');
  });

  test('busy ends only with a reading quicker than the short wait, not with one just under "slow"', async () => {
    const s = setup();
    await busyWith(s, 'slow');
    const medium = s.readings.get();
    s.tick(OPTIONS.slowMs - 1);
    s.reads[1].resolve('medium');
    assert.equal(await medium, 'medium');
    await s.settle();
    assert.equal(await s.readings.get(), 'medium', 'still busy: answered from the newest reading');
    s.reads[2].resolve('quick');
    await s.settle();
    const waiting = s.readings.get();
    await new Promise((r) => setTimeout(r, OPTIONS.waitMs * 3));
    s.reads[3].resolve('own');
    assert.equal(await waiting, 'own', 'quick again: the request waited for its own reading');
  });
});
