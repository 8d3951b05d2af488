// A per-server bandwidth limit on writes to storage (`--max-upload-mbps`): every put, of every
// storage the server opens, takes its bytes from one shared budget before it is sent. The budget
// is a schedule: each take reserves the interval its bytes need at the rate after every earlier
// reservation, and waits until that interval starts, so writes keep to the rate on average
// whatever their sizes and however many run at once (a single write larger than a second's worth
// goes at once, and the writes after it wait for it). The arithmetic is pure (`reserve`); time
// comes from an injected clock and sleep, so tests check it without waiting.
import { Readable, Transform } from 'node:stream';
import type { Storage } from './storage.ts';
import { StorageWrapper } from './wrapper.ts';

export interface BandwidthTime {
  /** Milliseconds, monotonic. */
  now(): number;
  sleep(ms: number): Promise<void>;
}

const realTime: BandwidthTime = {
  now: () => performance.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
};

/** Megabits per second as bytes per second. */
export function mbpsToBytesPerSecond(mbps: number): number {
  return (mbps * 1_000_000) / 8;
}

/**
 * The schedule after reserving `bytes` at `now`: when the reservation starts (the caller waits
 * until then) and when the next one may start. Pure.
 */
export function reserve(nextFree: number, now: number, bytes: number, bytesPerSecond: number): { start: number; nextFree: number } {
  const start = Math.max(now, nextFree);
  return { start, nextFree: start + (bytes / bytesPerSecond) * 1000 };
}

export class Bandwidth {
  readonly bytesPerSecond: number;
  readonly #time: BandwidthTime;
  #nextFree = -Infinity;

  constructor(bytesPerSecond: number, time: BandwidthTime = realTime) {
    if (!(bytesPerSecond > 0)) throw new RangeError('a bandwidth must be above 0 bytes per second');
    this.bytesPerSecond = bytesPerSecond;
    this.#time = time;
  }

  /** Waits until `bytes` may be sent. */
  async take(bytes: number): Promise<void> {
    const now = this.#time.now();
    const r = reserve(this.#nextFree, now, bytes, this.bytesPerSecond);
    this.#nextFree = r.nextFree;
    if (r.start > now) await this.#time.sleep(r.start - now);
  }
}

/** A storage whose puts take their bytes from `bandwidth` first (a stream's, chunk by chunk); reads, positional ones included, pass as they are. */
export class ThrottledStorage extends StorageWrapper {
  readonly #bandwidth: Bandwidth;

  constructor(inner: Storage, bandwidth: Bandwidth) {
    super(inner);
    this.#bandwidth = bandwidth;
  }

  override async put(name: string, data: Buffer | Readable): Promise<void> {
    if (Buffer.isBuffer(data)) {
      await this.#bandwidth.take(data.length);
      return this.inner.put(name, data);
    }
    const bandwidth = this.#bandwidth;
    const paced = new Transform({
      transform(chunk: Buffer, _enc, done) {
        bandwidth.take(chunk.length).then(() => done(null, chunk), done);
      },
    });
    data.once('error', (e) => paced.destroy(e));
    return this.inner.put(name, data.pipe(paced));
  }
}
