// The store sizes a new repository's chunks from the first stream's expected size (8 KiB for any
// size since the index keeps under 2 bytes a chunk in memory), keeps an existing repository's
// sizes, and a copy to another datastore sizes that one from the recovery point it copies.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { test } from 'node:test';
import { RepositoryStore } from '../../src/jobs/repository-store.ts';
import { chunkerForDataSize, DEFAULT_CHUNKER } from '../../src/repository/chunker.ts';
import { ManualClock } from '../../src/util/clock.ts';

test('chunk sizes stay 8 KiB on average for any size of data (the index no longer holds chunks in memory)', () => {
  for (const bytes of [0, 2 * 1024 ** 3 + 1, 128 * 1024 ** 3, 1024 ** 4, 1024 ** 5]) assert.deepEqual(chunkerForDataSize(bytes), DEFAULT_CHUNKER);
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
