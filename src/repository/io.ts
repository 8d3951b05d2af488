// Small storage helpers the repository modules share.
import { errors } from '../domain/errors.ts';
import type { Storage } from '../storage/storage.ts';

/** Exactly `length` bytes of `name` from `offset`, in a new buffer. */
export async function readRange(storage: Storage, name: string, offset: number, length: number): Promise<Buffer> {
  const buf = Buffer.allocUnsafe(length);
  return buf.subarray(0, await readRangeInto(storage, name, offset, buf));
}

/**
 * Reads `into.length` bytes of `name` from `offset` into `into`; returns how many bytes came, at
 * most into.length. With the storage's positional read (the filesystem's) the bytes land in `into`
 * directly; otherwise piece by piece as storage streams them (no buffer of the whole range is made,
 * but one per piece). Either way a range that does not lie inside the object is refused
 * (StorageInvalidRange), as getStream refuses it.
 */
export async function readRangeInto(storage: Storage, name: string, offset: number, into: Buffer): Promise<number> {
  if (storage.readInto) {
    const got = await storage.readInto(name, offset, into);
    if (got < into.length) throw errors.storageInvalidRange(name, offset + got, offset, into.length);
    return got;
  }
  let got = 0;
  for await (const part of (await storage.getStream(name, { offset, length: into.length })) as AsyncIterable<Buffer>) {
    got += part.copy(into, got);
  }
  return got;
}

/** Every object name under `prefix`, with its size and modification time. */
export async function listAll(storage: Storage, prefix: string): Promise<{ name: string; size: number; modified: Date }[]> {
  const out: { name: string; size: number; modified: Date }[] = [];
  for await (const info of storage.list(prefix)) out.push(info);
  return out;
}

/** Runs `fn` over `items` with at most `limit` calls in flight; results keep the input order. */
export async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T, i: number) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array<R>(items.length);
  let next = 0;
  async function worker(): Promise<void> {
    while (next < items.length) {
      const i = next++;
      results[i] = await fn(items[i]!, i);
    }
  }
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}
