// Chunk lists are written part by part while the backup goes on: a full part is stored in the
// background while the next fills, the backup waits only when it fills a part before the last
// one is stored, every id stays visible to gc's lease meanwhile, and a failed write fails the
// backup rather than leave a gap in the list.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, it } from 'node:test';
import { FsStorage } from '../../src/storage/fs.ts';
import { ChunkListWriter, readChunkList } from '../../src/repository/manifest.ts';
import type { Manifest } from '../../src/repository/manifest.ts';
import { gate } from './helpers.ts';

let dir: string;
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'dpv-chunklist-'));
});
after(() => rm(dir, { recursive: true, force: true }));

/** A real store whose puts of chunk-list parts wait for the test to let them go, or fail. */
class HeldStorage extends FsStorage {
  readonly held: { name: string; release: () => void }[] = [];
  failing = false;
  override async put(name: string, data: Parameters<FsStorage['put']>[1]): Promise<void> {
    const g = gate();
    this.held.push({ name, release: g.open });
    await g.wait;
    if (this.failing) throw new Error(`disk full writing ${name}`);
    return super.put(name, data);
  }
}

const ids = (n: number): string[] => Array.from({ length: n }, () => randomBytes(32).toString('hex'));
async function collect<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
}
const tick = (): Promise<void> => new Promise((r) => setImmediate(r));
/** Waits until the storage holds `n` puts (real file writes take a few turns of the loop). */
async function held(storage: HeldStorage, n: number): Promise<void> {
  for (let i = 0; storage.held.length < n; i++) {
    if (i > 1000) throw new Error(`only ${storage.held.length} of ${n} puts came`);
    await new Promise((r) => setTimeout(r, 2));
  }
}

it('writes a full part in the background, waits only on the part after it, and lists every id meanwhile', async () => {
  const storage = new HeldStorage(join(dir, 'a'));
  const key = randomBytes(32);
  const writer = new ChunkListWriter(storage, key, 'a'.repeat(32), 4);
  const all = ids(10);
  for (const id of all.slice(0, 3)) assert.equal(writer.add(id), undefined);
  assert.equal(writer.add(all[3]!), undefined, 'the first full part does not hold the backup up');
  await held(storage, 1);
  for (const id of all.slice(4, 7)) assert.equal(writer.add(id), undefined);
  // The lease sees the part being written (from memory) and the ids after it.
  assert.deepEqual(await collect(writer.ids()), all.slice(0, 7));
  const waiting = writer.add(all[7]!);
  assert.ok(waiting, 'a second full part waits for the first to be stored');
  let waited = false;
  void waiting.then(() => (waited = true));
  await tick();
  assert.equal(waited, false);
  storage.held[0]!.release();
  await waiting;
  await held(storage, 2);
  assert.deepEqual(await collect(writer.ids()), all.slice(0, 8));
  for (const id of all.slice(8)) assert.equal(writer.add(id), undefined);
  const finished = writer.finish();
  storage.held[1]!.release();
  await held(storage, 3);
  storage.held[2]!.release();
  await finished;
  assert.equal(writer.parts, 3);
  assert.equal(writer.count, 10);
  const manifest = { id: 'a'.repeat(32), chunkListParts: 3, chunkCount: 10 } as Manifest;
  assert.deepEqual(await collect(readChunkList(storage, key, manifest)), all);
  assert.deepEqual(await collect(writer.ids()), all);
});

it('a part that cannot be stored fails the next full part and the finish', async () => {
  const storage = new HeldStorage(join(dir, 'b'));
  storage.failing = true;
  const writer = new ChunkListWriter(storage, randomBytes(32), 'b'.repeat(32), 2);
  const all = ids(4);
  writer.add(all[0]!);
  assert.equal(writer.add(all[1]!), undefined);
  writer.add(all[2]!);
  const next = writer.add(all[3]!);
  assert.ok(next);
  await held(storage, 1);
  storage.held[0]!.release();
  await assert.rejects(next, /disk full/);
  await assert.rejects(writer.finish(), /disk full/);
});
