// Fault injection for tests: a wrapper that makes chosen operations on chosen objects fail the
// way a real backend fails (a permanent failure, a transient one, a missing object, a full disk)
// or return or store damaged bytes. The faults are data (a `FaultPlan`), so a test says what
// breaks and then reads back what struck, and the production stack is the same code without it.
import { Readable } from 'node:stream';
import type { ByteRange, ObjectInfo, Storage } from './storage.ts';
import { storageFailure, storageFull, storageNotFound } from './storage.ts';
import { StorageWrapper } from './wrapper.ts';

export type StorageOp = 'put' | 'get' | 'getStream' | 'readInto' | 'stat' | 'list' | 'delete';

/**
 * `fail`: a permanent storage failure; `transient`: one a retry may cure; `notFound`: the object
 * is missing; `full`: no room left (puts); `corrupt`: one byte in the middle flipped, in what a
 * get, a stream or a positional read returns or what a put stores (buffers only).
 */
export type FaultEffect = 'fail' | 'transient' | 'notFound' | 'full' | 'corrupt';

export interface Fault {
  ops: readonly StorageOp[];
  /** The objects it strikes (for `list`: the prefix); every one when omitted. */
  names?: RegExp;
  effect: FaultEffect;
  /** How many matching calls pass before it strikes (default 0). */
  skip?: number;
  /** How many times it strikes before it is spent; every time when omitted. */
  times?: number;
}

export interface FaultHit {
  op: StorageOp;
  name: string;
  effect: FaultEffect;
}

/** The faults to inject, and a record of each time one struck. */
export class FaultPlan {
  readonly hits: FaultHit[] = [];
  readonly #faults: { fault: Fault; skip: number; left: number }[];

  constructor(faults: readonly Fault[]) {
    this.#faults = faults.map((fault) => ({ fault, skip: fault.skip ?? 0, left: fault.times ?? Infinity }));
  }

  /** The effect that strikes `op` on `name` now, if any (and counts it). */
  strike(op: StorageOp, name: string): FaultEffect | undefined {
    for (const f of this.#faults) {
      if (f.left === 0 || !f.fault.ops.includes(op) || !(f.fault.names?.test(name) ?? true)) continue;
      if (f.skip > 0) {
        f.skip--;
        continue;
      }
      f.left--;
      this.hits.push({ op, name, effect: f.fault.effect });
      return f.fault.effect;
    }
    return undefined;
  }
}

function flipped(data: Buffer): Buffer {
  const out = Buffer.from(data);
  if (out.length > 0) out[out.length >> 1]! ^= 0xff;
  return out;
}

async function readAll(stream: Readable): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const part of stream as AsyncIterable<Buffer>) parts.push(part);
  return Buffer.concat(parts);
}

export class FaultyStorage extends StorageWrapper {
  readonly #plan: FaultPlan;

  constructor(inner: Storage, plan: FaultPlan) {
    super(inner);
    this.#plan = plan;
  }

  /** Throws the error of a failing effect; returns `corrupt` (or nothing) for the caller to apply. */
  #strike(op: StorageOp, name: string): 'corrupt' | undefined {
    const effect = this.#plan.strike(op, name);
    switch (effect) {
      case undefined:
      case 'corrupt':
        return effect;
      case 'fail':
        throw storageFailure(op, name, 'injected failure', false);
      case 'transient':
        throw storageFailure(op, name, 'injected transient failure', true);
      case 'notFound':
        throw storageNotFound(name);
      case 'full':
        throw storageFull(this.displayName, name, { freeBytes: 0, neededBytes: null });
    }
  }

  override async put(name: string, data: Buffer | Readable): Promise<void> {
    let effect: 'corrupt' | undefined;
    try {
      effect = this.#strike('put', name);
    } catch (e) {
      if (!Buffer.isBuffer(data)) data.destroy(); // as a backend's failed put does
      throw e;
    }
    return this.inner.put(name, effect === 'corrupt' && Buffer.isBuffer(data) ? flipped(data) : data);
  }

  override async get(name: string): Promise<Buffer> {
    const corrupt = this.#strike('get', name) === 'corrupt';
    const data = await this.inner.get(name);
    return corrupt ? flipped(data) : data;
  }

  override async getStream(name: string, range?: ByteRange): Promise<Readable> {
    const corrupt = this.#strike('getStream', name) === 'corrupt';
    const stream = await this.inner.getStream(name, range);
    return corrupt ? Readable.from([flipped(await readAll(stream))]) : stream;
  }

  /** Strikes as op `readInto` (a plan for `getStream` does not strike it); `corrupt` flips a byte of what was read. */
  protected override async readIntoBelow(name: string, offset: number, target: Uint8Array): Promise<number> {
    const corrupt = this.#strike('readInto', name) === 'corrupt';
    const got = await super.readIntoBelow(name, offset, target);
    if (corrupt && got > 0) target[got >> 1]! ^= 0xff;
    return got;
  }

  override async stat(name: string): Promise<ObjectInfo> {
    this.#strike('stat', name);
    return this.inner.stat(name);
  }

  override async *list(prefix: string): AsyncIterable<ObjectInfo> {
    this.#strike('list', prefix);
    yield* this.inner.list(prefix);
  }

  override async delete(name: string): Promise<void> {
    this.#strike('delete', name);
    return this.inner.delete(name);
  }
}
