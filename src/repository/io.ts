// Small storage helpers the repository modules share.
import type { Storage } from '../storage/storage.ts';

/** Exactly `length` bytes of `name` from `offset`. */
export async function readRange(storage: Storage, name: string, offset: number, length: number): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const part of (await storage.getStream(name, { offset, length })) as AsyncIterable<Buffer>) parts.push(part);
  return Buffer.concat(parts);
}

/**
 * Reads `into.length` bytes of `name` from `offset` into `into`, piece by piece as storage streams
 * them (no buffer of the whole range is made); returns how many bytes came, at most into.length.
 */
export async function readRangeInto(storage: Storage, name: string, offset: number, into: Buffer): Promise<number> {
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
