// A repository on object storage: backup, restore, verify, delete and gc through `Repository`
// over a storage factory rooted at an s3:// URL (s3rver) and an azblob:// URL (Azurite), each
// peer started by the test. Restored bytes must equal the dumps; after gc the survivor still
// restores and verifies, and the repository opens again from the bucket alone.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import { Repository } from '../../src/repository/repository.ts';
import { StorageFactory } from '../../src/storage/factory.ts';
import { ManualClock } from '../../src/util/clock.ts';
import { startAzurite, startS3rver, usePeer, type ObjectStorePeer } from '../support/object-stores.ts';
import { dumpText, readAll, SMALL, streamOf } from './helpers.ts';

const peers: [string, () => Promise<ObjectStorePeer>, string][] = [
  ['S3 (s3rver)', startS3rver, 'dpv-backups'],
  ['Azure Blob (Azurite)', startAzurite, 'dpv-backups'],
];

for (const [label, start, container] of peers) {
  describe(`a repository on ${label}`, () => {
    const peer = usePeer(start);

    it('backs up, restores byte for byte, verifies, collects garbage and reopens from the bucket alone', async () => {
      const factory = new StorageFactory(peer().url(container, 'vaults'));
      const storage = factory.open('rg--vault1', 'VaultStore');
      const master = randomBytes(32);
      const clock = new ManualClock(new Date());
      const repo = await Repository.init(storage, master, { ...SMALL, clock });

      const first = dumpText(3 * 1024 * 1024, 1);
      const second = Buffer.concat([first.subarray(0, 2 * 1024 * 1024), dumpText(1024 * 1024, 2)]);
      const a = await repo.backup(streamOf(first), { recoveryPointId: 'rp-1' });
      const b = await repo.backup(streamOf(second), { recoveryPointId: 'rp-2' });
      assert.ok(b.newBytes < second.length, 'the second backup reused chunks of the first');
      assert.ok((await readAll(await repo.restore(a.manifestId))).equals(first));
      assert.ok((await readAll(await repo.restore(b.manifestId))).equals(second));
      const verified = await repo.verify();
      assert.equal(verified.ok, true, JSON.stringify(verified));
      assert.ok(verified.packsChecked > 2, `${verified.packsChecked} packs checked`);
      assert.deepEqual(await factory.datastores('rg--vault1'), ['VaultStore'], 'found by listing the object store');

      await repo.deleteManifest(a.manifestId);
      clock.set(new Date(Date.now() + 5000));
      const gc = await repo.gc({ graceMs: 0, repackDeadRatio: 0.01 });
      assert.ok(gc.packsDeleted + gc.packsRepacked > 0, JSON.stringify(gc));
      assert.equal(gc.liveChunksMissing, 0);
      assert.equal((await repo.verify()).ok, true);
      assert.ok((await readAll(await repo.restore(b.manifestId))).equals(second), 'the survivor restores after gc');

      const { repository: recovered } = await Repository.recover(factory.open('rg--vault1', 'VaultStore'), master, { clock });
      assert.deepEqual((await recovered.listManifests()).map((m) => m.recoveryPointId), ['rp-2']);
      assert.ok((await readAll(await recovered.restore(b.manifestId))).equals(second), 'restores from the bucket alone');
    });
  });
}
