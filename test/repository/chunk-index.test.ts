// The chunk index (sorted runs in local files, a filter and fence table in memory, a recent table)
// against a plain Map doing what the old all-in-memory index did: random adds with and without
// relocation, forgets, pack removals, with a tiny recent table so runs are written and merged all
// the time, and ids crowded onto a few 8-byte prefixes so equal fences straddle blocks. Then the
// memory it holds per chunk, as a slope over sizes (bench/index-bench.ts, in a process of its own).
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { buildIndex, ChunkIndex, loadIndex, writeIndexFile } from '../../src/repository/chunk-index.ts';
import type { ChunkLocation } from '../../src/repository/chunk-index.ts';
import type { IndexBenchResult } from '../../bench/index-bench.ts';
import type { PackEntry, PackRecord } from '../../src/repository/pack.ts';
import { FsStorage } from '../../src/storage/fs.ts';
import { rng } from './helpers.ts';
import { Quarantine } from '../../src/repository/quarantine.ts';

/** What the old in-memory index did, in a Map. */
class ModelIndex {
  readonly chunks = new Map<string, ChunkLocation>();
  readonly packSizes = new Map<string, number>();

  add(packId: string, size: number, entries: PackEntry[], relocate: boolean): void {
    this.packSizes.set(packId, size);
    for (const e of entries) {
      if (relocate || !this.chunks.has(e.id)) this.chunks.set(e.id, { packId, offset: e.offset, length: e.length, rawLength: e.rawLength });
    }
  }

  forgetIn(id: string, packId: string): boolean {
    if (this.chunks.get(id)?.packId !== packId || !this.packSizes.has(packId)) return false;
    this.chunks.delete(id);
    return true;
  }

  removePack(packId: string): void {
    if (!this.packSizes.delete(packId)) return;
    for (const [id, loc] of this.chunks) if (loc.packId === packId) this.chunks.delete(id);
  }
}

function check(index: ChunkIndex, model: ModelIndex, ids: string[]): void {
  assert.equal(index.size, model.chunks.size);
  for (const id of ids) {
    const want = model.chunks.get(id);
    assert.deepEqual(index.get(id), want);
    assert.equal(index.has(id), want !== undefined);
    assert.equal(index.packOf(id), want?.packId);
  }
  assert.deepEqual(new Map([...index.packs()].sort()), new Map([...model.packSizes].sort()));
  const listed = [...index.locations()];
  assert.deepEqual(
    listed.map(([id]) => id),
    [...listed.map(([id]) => id)].sort(),
    'locations() come in id order',
  );
  assert.deepEqual(new Map(listed), new Map([...model.chunks].sort()));
}

function withDir<T>(fn: (dir: string) => T): T {
  const dir = mkdtempSync(join(tmpdir(), 'dpvault-index-test-'));
  try {
    return fn(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

for (const crowded of [false, true]) {
  test(`answers as a Map does under random adds, relocations, forgets and pack removals (${crowded ? 'ids sharing few prefixes' : 'uniform ids'})`, () =>
    withDir((dir) => {
      const next = rng(crowded ? 5 : 9);
      const index = new ChunkIndex({ dir, recentLimit: 37 });
      const model = new ModelIndex();
      const ids: string[] = [];
      for (let i = 0; i < 1500; i++) {
        const id = randomBytes(32);
        // Crowded: four 8-byte prefixes only, so many blocks share a fence.
        if (crowded) id.writeBigUInt64BE(BigInt(i % 4), 0);
        ids.push(id.toString('hex'));
      }
      const packIds = Array.from({ length: 30 }, () => randomBytes(32).toString('hex'));
      for (let step = 0; step < 3000; step++) {
        const packId = packIds[Math.floor(next() * packIds.length)]!;
        const r = next();
        if (r < 0.6) {
          const entries = Array.from({ length: 1 + Math.floor(next() * 40) }, (_, i) => ({
            id: ids[Math.floor(next() * ids.length)]!,
            offset: step * 100 + i,
            length: 1 + i,
            rawLength: 0xffffffff - step,
          }));
          const relocate = next() < 0.3;
          const size = step * 1000;
          index.add({ packId, size, entries }, relocate);
          model.add(packId, size, entries, relocate);
        } else if (r < 0.9) {
          const id = ids[Math.floor(next() * ids.length)]!;
          // Half the time the pack that holds it, so the forget happens.
          const where = next() < 0.5 ? (model.chunks.get(id)?.packId ?? packId) : packId;
          assert.equal(index.forgetIn(id, where), model.forgetIn(id, where));
        } else if (r < 0.97) {
          index.removePack(packId, []);
          model.removePack(packId);
        } else {
          if (next() < 0.5) index.flush();
          index.compact();
        }
        if (step % 300 === 0) check(index, model, ids);
      }
      check(index, model, ids);
      assert.ok(index.runCount >= 1);
      assert.deepEqual(readdirSync(dir), [], 'run files are unlinked once open');
    }));
}

test('ids are checked: not a 64-character hex id is refused', () =>
  withDir((dir) => {
    const index = new ChunkIndex({ dir, recentLimit: 4 });
    assert.throws(() => index.has('abc'), /Not a chunk id/);
    assert.throws(() => index.get('zz'.repeat(32)), /Not a chunk id/);
  }));

test('an index built from records leaves out the quarantined copies and keeps first locations', () =>
  withDir((dir) => {
    const [a, b, c] = [0, 1, 2].map(() => randomBytes(32).toString('hex')) as [string, string, string];
    const [p1, p2] = ['11'.repeat(32), '22'.repeat(32)];
    const quarantine = new Quarantine();
    quarantine.set({ version: 1, packId: p1, problem: 'test', detectedAt: new Date(0).toISOString(), lost: [b], packGone: false });
    const records = [
      { packId: p1, size: 10, entries: [{ id: a, offset: 0, length: 1, rawLength: 1 }, { id: b, offset: 1, length: 1, rawLength: 1 }] },
      { packId: p2, size: 20, entries: [{ id: a, offset: 5, length: 1, rawLength: 1 }, { id: b, offset: 6, length: 1, rawLength: 1 }, { id: c, offset: 7, length: 1, rawLength: 1 }] },
    ];
    const index = buildIndex(records, quarantine, { dir, recentLimit: 2 });
    assert.equal(index.get(a)?.packId, p1, 'first location wins');
    assert.equal(index.get(b)?.packId, p2, 'the lost copy in p1 is left out: the good copy in p2 is used');
    assert.equal(index.size, 3);
    assert.equal(index.runCount, 1, 'a loaded index is one run');
  }));

test('an index loaded from index files (as at every open) matches the files: first file wins, lost copies left out, damage named', async () => {
  const root = mkdtempSync(join(tmpdir(), 'dpvault-index-load-'));
  try {
    const storage = new FsStorage(root);
    const dataKey = randomBytes(32);
    const model = new ModelIndex();
    const ids = Array.from({ length: 400 }, () => randomBytes(32).toString('hex'));
    const next = rng(3);
    const quarantine = new Quarantine();
    // Files are read in name order, which is random here: the model adds them in that order.
    const perFile: PackRecord[][] = [];
    for (let f = 0; f < 12; f++) {
      perFile.push(
        Array.from({ length: 3 }, (_, p) => ({
          packId: randomBytes(32).toString('hex'),
          size: f * 10 + p,
          entries: Array.from({ length: 30 }, (_, i) => ({ id: ids[Math.floor(next() * ids.length)]!, offset: i, length: f, rawLength: p })),
        })),
      );
    }
    // The lost copies: ids that only this pack holds (so the index must not list them at all).
    const lostPack = perFile[0]![0]!;
    const lost = lostPack.entries.slice(0, 5).map((e) => (e.id = randomBytes(32).toString('hex')));
    ids.push(...lost);
    const files: { indexId: string; records: PackRecord[] }[] = [];
    for (const records of perFile) files.push({ indexId: await writeIndexFile(storage, dataKey, records), records });
    quarantine.set({ version: 1, packId: lostPack.packId, problem: 'test', detectedAt: new Date(0).toISOString(), lost, packGone: false });
    const damagedFile = files[5]!;
    await storage.put(`index/${damagedFile.indexId}`, randomBytes(100));
    files.sort((a, b) => a.indexId.localeCompare(b.indexId));
    for (const file of files) {
      if (file === damagedFile) continue;
      for (const r of file.records) model.add(r.packId, r.size, r.entries.filter((e) => !quarantine.isLostIn(e.id, r.packId)), false);
    }
    const dir = mkdtempSync(join(tmpdir(), 'dpvault-index-test-'));
    try {
      const { index, damaged } = await loadIndex(storage, dataKey, quarantine, { dir, recentLimit: 50 });
      assert.deepEqual(damaged.map((d) => d.indexId), [damagedFile.indexId]);
      for (const id of lost) assert.equal(index.has(id), false, 'a lost copy is never located');
      check(index, model, ids);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test('memory per chunk: at most 2 bytes (plus a small allowance), as a slope over 1.5 million ids', () => {
  // In a process of its own (the synthetic index bench), so nothing else this runner holds counts.
  const out = execFileSync(process.execPath, ['--max-semi-space-size=2', 'bench/index-bench.ts', '--chunks', '1500000', '--json'], { encoding: 'utf8' });
  const r = JSON.parse(out) as IndexBenchResult;
  assert.equal(r.chunks, 1_500_000);
  assert.ok(r.bytesPerChunk <= 2.25, `${r.bytesPerChunk.toFixed(2)} bytes of memory per chunk`);
  const last = r.samples[r.samples.length - 1]!;
  assert.ok(last.runBytes / last.chunks <= 2, `filters and fences: ${(last.runBytes / last.chunks).toFixed(2)} bytes per chunk`);
});
