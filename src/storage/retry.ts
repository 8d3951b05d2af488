// Retry of transient storage failures (`isTransient`: too many open files, timeouts, throttling),
// a bounded number of times with exponential backoff. Everything else passes as it came: a
// not-found, a full disk or damage is an answer, not a hiccup. A put of a stream is not retried
// (the stream is spent), nor a listing that has already handed out objects (a retry would repeat
// them).
import { setTimeout as sleepFor } from 'node:timers/promises';
import type { Readable } from 'node:stream';
import type { ByteRange, ObjectInfo, Storage } from './storage.ts';
import { isTransient } from './storage.ts';
import { StorageWrapper } from './wrapper.ts';

export interface RetryOptions {
  /** Tries in all, the first included (at least 1). */
  attempts: number;
  /** Wait before the second try; doubled before each further one. */
  firstDelayMs: number;
  /** How to wait (tests pass one that does not). */
  sleep?: (ms: number) => Promise<unknown>;
}

/** Four tries over about 0.7 s: long enough for a burst of open files to pass. */
export const DEFAULT_RETRY: RetryOptions = { attempts: 4, firstDelayMs: 100 };

export class RetryingStorage extends StorageWrapper {
  readonly #opts: RetryOptions;

  constructor(inner: Storage, opts: RetryOptions = DEFAULT_RETRY) {
    super(inner);
    this.#opts = opts;
  }

  /** After failed try number `attempt`: waits and says true when another try is due. */
  async #again(e: unknown, attempt: number): Promise<boolean> {
    if (!isTransient(e) || attempt >= this.#opts.attempts) return false;
    await (this.#opts.sleep ?? sleepFor)(this.#opts.firstDelayMs * 2 ** (attempt - 1));
    return true;
  }

  async #retry<T>(op: () => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await op();
      } catch (e) {
        if (!(await this.#again(e, attempt))) throw e;
      }
    }
  }

  override put(name: string, data: Buffer | Readable): Promise<void> {
    return Buffer.isBuffer(data) ? this.#retry(() => this.inner.put(name, data)) : this.inner.put(name, data);
  }

  override get(name: string): Promise<Buffer> {
    return this.#retry(() => this.inner.get(name));
  }

  override getStream(name: string, range?: ByteRange): Promise<Readable> {
    return this.#retry(() => this.inner.getStream(name, range));
  }

  /** Retried as a whole: a try that failed half way is read again from `offset` into the same target. */
  protected override readIntoBelow(name: string, offset: number, target: Uint8Array): Promise<number> {
    return this.#retry(() => super.readIntoBelow(name, offset, target));
  }

  override stat(name: string): Promise<ObjectInfo> {
    return this.#retry(() => this.inner.stat(name));
  }

  override async *list(prefix: string): AsyncIterable<ObjectInfo> {
    for (let attempt = 1; ; attempt++) {
      let handedOut = false;
      try {
        for await (const info of this.inner.list(prefix)) {
          handedOut = true;
          yield info;
        }
        return;
      } catch (e) {
        if (handedOut || !(await this.#again(e, attempt))) throw e;
      }
    }
  }

  override delete(name: string): Promise<void> {
    return this.#retry(() => this.inner.delete(name));
  }
}
