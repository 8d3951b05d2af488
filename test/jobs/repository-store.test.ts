// The store sizes a new repository's chunks from the first stream's expected size (so the chunk
// index of any one database stays small), keeps an existing repository's sizes, and a copy to
// another datastore sizes that one from the recovery point it copies.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { test } from 'node:test';
import { RepositoryStore } from '../../src/jobs/repository-store.ts';
import { chunkerForDataSize, DEFAULT_CHUNKER, DEFAULT_CHUNKER_UP_TO } from '../../src/repository/chunker.ts';
import { ManualClock } from '../../src/util/clock.ts';

test('chunk sizes grow with the data beyond the default range, and stop at 512 KiB', () => {
  assert.deepEqual(chunkerForDataSize(0), DEFAULT_CHUNKER);
  assert.deepEqual(chunkerForDataSize(DEFAULT_CHUNKER_UP_TO), DEFAULT_CHUNKER);
  assert.deepEqual(chunkerForDataSize(DEFAULT_CHUNKER_UP_TO + 1), { min: 4096, avg: 16384, max: 65536 });
  assert.equal(chunkerForDataSize(DEFAULT_CHUNKER_UP_TO * 16).avg, 128 * 1024);
  assert.equal(chunkerForDataSize(1024 ** 5).avg, 512 * 1024);
  for (const gib of [1, 3, 10, 100, 1000]) {
    const bytes = gib * 1024 ** 3;
    const chunks = bytes / chunkerForDataSize(bytes).avg;
    assert.ok(gib > 128 || chunks <= 300_000, `${gib} GiB → ${chunks} chunks`);
  }
});

test('a new repository gets chunks for its first stream; a copy sizes the other datastore alike', async () => {
  const root = mkdtempSync(join(tmpdir(), 'dpvault-store-'));
  try {
    const store = new RepositoryStore(root, randomBytes(32), new ManualClock(new Date()));
    const data = randomBytes(200_000);
    const big = 40 * 1024 ** 3;
    const stored = await store.write({ vaultKey: 'rg--v', datastore: 'VaultStore', recoveryPointId: 'rp1', sizeHint: big }, Readable.from([data]));
    assert.equal((await store.repository('rg--v', 'VaultStore')).params.chunker.avg, chunkerForDataSize(big).avg);
    // An existing repository keeps its sizes whatever the next hint says.
    await store.write({ vaultKey: 'rg--v', datastore: 'VaultStore', recoveryPointId: 'rp2', sizeHint: 1 }, Readable.from([data]));
    assert.equal((await store.repository('rg--v', 'VaultStore')).params.chunker.avg, chunkerForDataSize(big).avg);
    const copied = await store.copy({ ...stored, size: big }, { vaultKey: 'rg--v', datastore: 'ArchiveStore', recoveryPointId: 'rp1' });
    assert.equal(copied.size, data.length);
    assert.equal((await store.repository('rg--v', 'ArchiveStore')).params.chunker.avg, chunkerForDataSize(big).avg);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});
