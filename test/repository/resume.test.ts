// A backup the storage goes away from midway fails clearly, leaves nothing a restore, verify or gc
// trips over, and when it runs again it resumes from the packs already stored: none is sent twice
// (counted at the storage, below the retries), on the filesystem, s3rver and Azurite.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { describe, it } from 'node:test';
import { Repository } from '../../src/repository/repository.ts';
import { openStorage } from '../../src/storage/backends.ts';
import { FsStorage } from '../../src/storage/fs.ts';
import { stack } from '../../src/storage/stack.ts';
import { storageFailure, type ObjectInfo, type Storage } from '../../src/storage/storage.ts';
import { StorageWrapper } from '../../src/storage/wrapper.ts';
import { ManualClock } from '../../src/util/clock.ts';
import { startAzurite, startS3rver, usePeer } from '../support/object-stores.ts';
import { readAll, SMALL, streamOf } from './helpers.ts';

/** The storage as the network sees it: counts the packs that reach it, and can go away. */
class Outage extends StorageWrapper {
  packPuts: string[] = [];
  /** After this many more pack puts have started, every other operation fails as an outage does. */
  downAfterPacks = Infinity;

  #check(op: string, name: string): void {
    if (this.downAfterPacks <= 0) throw storageFailure(op, name, 'ECONNREFUSED: the storage went away', true);
  }

  override async put(name: string, data: Buffer | Readable): Promise<void> {
    this.#check('put', name);
    const pack = name.startsWith('packs/');
    if (pack) this.downAfterPacks--; // the pack that takes it to 0 still lands
    await this.inner.put(name, data);
    if (pack) this.packPuts.push(name);
  }

  override get(name: string): Promise<Buffer> {
    this.#check('get', name);
    return this.inner.get(name);
  }

  override stat(name: string): Promise<ObjectInfo> {
    this.#check('stat', name);
    return this.inner.stat(name);
  }

  override delete(name: string): Promise<void> {
    this.#check('delete', name);
    return this.inner.delete(name);
  }

  override list(prefix: string): AsyncIterable<ObjectInfo> {
    this.#check('list', prefix);
    return this.inner.list(prefix);
  }
}

async function outageAndRerun(backend: Storage): Promise<void> {
  const net = new Outage(backend);
  const storage = stack(net, { retry: { attempts: 2, firstDelayMs: 1 } });
  const master = randomBytes(32);
  const clock = new ManualClock(new Date());
  const repo = await Repository.init(storage, master, { ...SMALL, clock });
  const earlier = randomBytes(300 * 1024);
  const rp0 = await repo.backup(streamOf(earlier), { recoveryPointId: 'rp-0' });

  const data = randomBytes(4 * 1024 * 1024); // about 8 packs of 512 KiB
  net.packPuts = [];
  net.downAfterPacks = 2;
  await assert.rejects(repo.backup(streamOf(data), { recoveryPointId: 'rp-1' }), (e: Error & { code?: string; kind?: string }) => {
    assert.equal(e.code, 'StorageFailure');
    assert.equal(e.kind, 'unavailable');
    assert.match(e.message, /the storage went away/);
    return true;
  });
  const storedBefore = net.packPuts.length;
  assert.equal(storedBefore, 2);

  // The storage is back: what was there still restores and verifies.
  net.downAfterPacks = Infinity;
  assert.ok((await readAll(await repo.restore(rp0.manifestId))).equals(earlier));
  assert.equal((await repo.verify()).ok, true);

  net.packPuts = [];
  const rerun = await repo.backup(streamOf(data), { recoveryPointId: 'rp-1' });
  const sentAgain = net.packPuts.length;
  assert.ok(sentAgain > 0, "the outage came midway: the rerun had packs left to send");
  assert.ok(rerun.newChunks < rerun.chunks, `the rerun reused the stored chunks (${rerun.newChunks} of ${rerun.chunks} new)`);
  assert.ok((await readAll(await repo.restore(rerun.manifestId))).equals(data), 'restores byte for byte');

  // Nothing was sent twice: gc finds no pack without a live chunk and none to repack; every pack
  // of the failed run and of the rerun is kept.
  clock.set(new Date(Date.now() + 5000));
  const gc = await repo.gc({ graceMs: 0, repackDeadRatio: 0.01 });
  assert.equal(gc.packsDeleted + gc.orphanPacksDeleted + gc.packsRepacked, 0, JSON.stringify(gc));
  const stats = await repo.stats();
  assert.equal(stats.packs, 1 + storedBefore + sentAgain, `${stats.packs} packs: 1 of rp-0, ${storedBefore} before the outage, ${sentAgain} after`);
  assert.ok((await readAll(await repo.restore(rerun.manifestId))).equals(data), 'restores after gc');
  assert.equal((await repo.verify()).ok, true);
}

describe('a backup interrupted by a storage outage resumes when run again', () => {
  it('on the filesystem', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'dpv-resume-'));
    try {
      await outageAndRerun(new FsStorage(dir));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  for (const [label, start] of [['S3 (s3rver)', startS3rver], ['Azure Blob (Azurite)', startAzurite]] as const) {
    describe(`on ${label}`, () => {
      const peer = usePeer(start);
      it('sends no stored pack twice', async () => {
        await outageAndRerun(openStorage(peer().url('dpv-resume', `r${randomBytes(4).toString('hex')}`)));
      });
    });
  }
});
