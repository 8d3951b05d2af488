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
import { StorageFactory } from '../../src/storage/factory.ts';
import { FaultPlan } from '../../src/storage/faults.ts';
import { chunkerForDataSize, DEFAULT_CHUNKER } from '../../src/repository/chunker.ts';
import { ManualClock } from '../../src/util/clock.ts';

test('chunk sizes stay 8 KiB on average for any size of data (the index no longer holds chunks in memory)', () => {
  for (const bytes of [0, 2 * 1024 ** 3 + 1, 128 * 1024 ** 3, 1024 ** 4, 1024 ** 5]) assert.deepEqual(chunkerForDataSize(bytes), DEFAULT_CHUNKER);
});

test('a new repository gets chunks for its first stream; a copy sizes the other datastore alike', async () => {
  const root = mkdtempSync(join(tmpdir(), 'dpvault-store-'));
  try {
    const store = new RepositoryStore(new StorageFactory(root), randomBytes(32), new ManualClock(new Date()));
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

test('the store reaches its data only through the storage factory: its faults, its retries, its datastores', async () => {
  const root = mkdtempSync(join(tmpdir(), 'dpvault-store-'));
  try {
    // The first three pack puts fail once each, as a storage out of file handles would.
    const faults = new FaultPlan([{ ops: ['put'], names: /^packs\//, effect: 'transient', times: 3 }]);
    const store = new RepositoryStore(new StorageFactory(root, { faults, retry: { attempts: 4, firstDelayMs: 1 } }), randomBytes(32), new ManualClock(new Date()));
    const data = randomBytes(300_000);
    const stored = await store.write({ vaultKey: 'rg--v', datastore: 'VaultStore', recoveryPointId: 'rp1' }, Readable.from([data]));
    assert.equal(faults.hits.length, 3, 'three pack puts failed and were retried until stored');
    const parts: Buffer[] = [];
    for await (const p of store.read(stored, 'rp1') as AsyncIterable<Buffer>) parts.push(p);
    assert.deepEqual(Buffer.concat(parts), data);
    await store.copy(stored, { vaultKey: 'rg--v', datastore: 'ArchiveStore', recoveryPointId: 'rp1' });
    const verified = await store.verify('rg--v', 100);
    assert.deepEqual(verified.datastores, ['ArchiveStore', 'VaultStore']);
    assert.equal(verified.ok, true);
    // A permanent failure is not retried: the backup fails with the storage's error.
    const failing = new StorageFactory(root, { faults: new FaultPlan([{ ops: ['put'], names: /^packs\//, effect: 'fail' }]) });
    const broken = new RepositoryStore(failing, randomBytes(32), new ManualClock(new Date()));
    await assert.rejects(broken.write({ vaultKey: 'rg--w', datastore: 'VaultStore', recoveryPointId: 'rp2' }, Readable.from([data])), { code: 'StorageFailure' });
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});
