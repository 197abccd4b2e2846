/**
 * When health reads Redis, and when it answers from its newest reading instead.
 *
 * Redis runs one command at a time. A listing or a health check that meets 10 MB entries waits behind Redis copying
 * them (about 100 ms per 10 MB, measured by `npm run bench -- --only huge-payloads`), and no connection of its own
 * avoids that. So health reads Redis on every request, and answers with that reading, while readings are quick. Once a
 * reading took longer than `slowMs`, Redis is busy: a request then waits `waitMs` for a reading of its own and
 * otherwise answers with the newest one, when that is under `maxAgeMs` old. The answer's `checkedAt` is when its
 * reading started, so its age is always visible. Readings are shared: at most one is in flight at a time.
 *
 * A reading that has not finished `timeoutMs` after it started is a Redis that does not answer: from then until
 * a reading finishes, requests get a `ReadingTimeout`, never an old reading. A failed reading is never served again, and the mode goes back to
 * "read on every request" only once a reading is quick again (under `waitMs`), so a busy Redis does not flip it.
 */

export class ReadingTimeout extends Error {}

export interface ReadingOptions {
  /** How long a request waits for its own reading while Redis is busy. */
  waitMs: number;
  /** A reading that took longer than this puts health in "busy" mode. */
  slowMs: number;
  /** The oldest reading a request may be answered with. */
  maxAgeMs: number;
  /** A reading still running this long after its start means Redis does not answer. */
  timeoutMs: number;
}

export const HEALTH_READINGS: ReadingOptions = { waitMs: 50, slowMs: 100, maxAgeMs: 5000, timeoutMs: 1000 };

interface Reading<T> {
  startedAt: number;
  done: Promise<T>;
}

export class HealthReadings<T> {
  private inFlight: Reading<T> | null = null;
  private newest: { startedAt: number; value: T } | null = null;
  private busy = false;
  /** When the oldest reading Redis has not answered yet started; null once any reading finishes. */
  private unansweredSince: number | null = null;
  /** Bumped by `invalidate`: a reading started before it is never served after it. */
  private generation = 0;

  constructor(
    private readonly read: (startedAt: number) => Promise<T>,
    private readonly options: ReadingOptions = HEALTH_READINGS,
    private readonly now: () => number = Date.now
  ) {}

  /** A reading for this request: its own, or while Redis is busy, the newest one if recent enough. */
  async get(): Promise<T> {
    const reading = this.start();
    const now = this.now();
    if (this.unansweredSince !== null && now - this.unansweredSince >= this.options.timeoutMs) {
      throw new ReadingTimeout(`no answer for ${now - this.unansweredSince} ms`);
    }
    const newest = this.newest;
    if (this.busy && newest && now - newest.startedAt <= this.options.maxAgeMs) {
      const waited = await within(reading.done, this.options.waitMs);
      return waited.finished ? waited.value : newest.value;
    }
    const waited = await within(reading.done, Math.max(0, reading.startedAt + this.options.timeoutMs - now));
    if (!waited.finished) {
      throw new ReadingTimeout(`no answer within ${this.options.timeoutMs} ms`);
    }
    return waited.value;
  }

  /** Forgets the newest reading: after a change this service made, the next answer must show it. */
  invalidate(): void {
    this.generation++;
    this.newest = null;
    this.inFlight = null;
  }

  /** The reading in flight, or a new one. One past its timeout is left to finish on its own, and not waited for. */
  private start(): Reading<T> {
    const now = this.now();
    if (this.inFlight && now - this.inFlight.startedAt < this.options.timeoutMs) {
      return this.inFlight;
    }
    const reading: Reading<T> = { startedAt: now, done: this.read(now) };
    const generation = this.generation;
    this.inFlight = reading;
    this.unansweredSince ??= now;
    const finished = (): boolean => {
      this.unansweredSince = null;
      if (this.inFlight === reading) {
        this.inFlight = null;
      }
      return generation === this.generation;
    };
    reading.done.then(
      (value) => {
        const took = this.now() - reading.startedAt;
        if (took > this.options.slowMs) {
          this.busy = true;
        } else if (took < this.options.waitMs) {
          this.busy = false;
        }
        if (finished() && (!this.newest || this.newest.startedAt < reading.startedAt)) {
          this.newest = { startedAt: reading.startedAt, value };
        }
      },
      () => {
        if (finished()) {
          this.newest = null;
        }
      }
    );
    return reading;
  }
}

async function within<T>(p: Promise<T>, ms: number): Promise<{ finished: true; value: T } | { finished: false }> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      p.then((value) => ({ finished: true as const, value })),
      new Promise<{ finished: false }>((resolve) => {
        timer = setTimeout(() => resolve({ finished: false }), ms);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}
