// A recovery point copied to another storage (a geo-redundant vault's paired region) is a
// repository the master key opens there alone and restores byte for byte; the copy goes config,
// packs, index, chunk list, manifest; an interrupted copy run again sends only what is missing;
// damage on either side is found, not copied.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { Repository } from '../../src/repository/repository.ts';
import { replicateManifest } from '../../src/repository/replicate.ts';
import { FaultPlan, FaultyStorage } from '../../src/storage/faults.ts';
import { openStorage } from '../../src/storage/backends.ts';
import { FsStorage } from '../../src/storage/fs.ts';
import { stack } from '../../src/storage/stack.ts';
import type { Storage } from '../../src/storage/storage.ts';
import { StorageWrapper } from '../../src/storage/wrapper.ts';
import type { Readable } from 'node:stream';
import { startAzurite, usePeer } from '../support/object-stores.ts';
import { dumpText, readAll, sha256, streamOf, tempRepo } from './helpers.ts';

/** Records the order of the puts that reach the storage. */
class PutLog extends StorageWrapper {
  readonly names: string[] = [];
  override async put(name: string, data: Buffer | Readable): Promise<void> {
    await this.inner.put(name, data);
    this.names.push(name);
  }
}

const dirs: string[] = [];
async function emptyStorage(): Promise<{ dir: string; storage: FsStorage }> {
  const dir = await mkdtemp(join(tmpdir(), 'dpv-replica-'));
  dirs.push(dir);
  return { dir, storage: new FsStorage(dir) };
}
after(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

const kind = (name: string): string => (name.startsWith('lock-') ? 'lock' : name.split('/')[0]!);

async function objectNames(s: Storage): Promise<string[]> {
  const out: string[] = [];
  for await (const o of s.list('')) if (!o.name.startsWith('lock-')) out.push(o.name);
  return out.sort();
}

describe('replicateManifest', () => {
  it('copies in the order config, packs, index, chunk list, manifest, and the copy restores alone', async () => {
    const fx = await tempRepo();
    const data = dumpText(3 * 1024 * 1024, 11);
    const { manifestId } = await fx.repo.backup(streamOf(data), { recoveryPointId: 'rp-1' });
    const { storage } = await emptyStorage();
    const log = new PutLog(storage);
    const report = await replicateManifest(fx.storage, log, manifestId, { clock: fx.clock });
    const order = log.names.filter((n) => !n.startsWith('lock-')).map(kind);
    assert.deepEqual([...new Set(order)], ['config', 'config-copy', 'packs', 'index', 'chunklists', 'manifests']);
    assert.equal(order.at(-1), 'manifests');
    assert.equal(report.objectsCopied, order.length);
    assert.equal(report.objectsPresent, 0);
    // Only the master key, only the copy.
    const copy = await Repository.open(storage, fx.master, { clock: fx.clock });
    assert.equal(sha256(await readAll(await copy.restore(manifestId))), sha256(data));
    assert.deepEqual((await copy.listManifests()).map((m) => m.recoveryPointId), ['rp-1']);
    await fx.cleanup();
  });

  it('run again after an interruption, sends only what is missing; a second point sends only its new data', async () => {
    const fx = await tempRepo();
    const first = randomBytes(4 * 1024 * 1024); // incompressible: eight packs or more
    const { manifestId } = await fx.repo.backup(streamOf(first), { recoveryPointId: 'rp-1' });
    const { storage } = await emptyStorage();
    // The paired region goes away after the fourth pack.
    const plan = new FaultPlan([{ ops: ['put'], names: /^packs\//, effect: 'fail', skip: 4 }]);
    await assert.rejects(replicateManifest(fx.storage, new FaultyStorage(storage, plan), manifestId, { clock: fx.clock }));
    const landed = await objectNames(storage);
    assert.equal(landed.filter((n) => n.startsWith('packs/')).length, 4);
    assert.ok(!landed.some((n) => n.startsWith('manifests/')), 'no manifest before its data');
    const all = (await objectNames(fx.storage)).filter((n) => !n.startsWith('manifests/') || n.endsWith(manifestId));
    const rerun = await replicateManifest(fx.storage, storage, manifestId, { clock: fx.clock });
    assert.equal(rerun.objectsPresent, landed.length, 'what landed is not sent again');
    assert.equal(rerun.objectsCopied, all.length - landed.length);
    assert.deepEqual(await objectNames(storage), all);
    // Idempotent.
    const again = await replicateManifest(fx.storage, storage, manifestId, { clock: fx.clock });
    assert.equal(again.objectsCopied, 0);
    // A second, mostly equal point: only its new packs, index file, chunk list and manifest go.
    const second = Buffer.concat([first, randomBytes(256 * 1024)]);
    const b = await fx.repo.backup(streamOf(second), { recoveryPointId: 'rp-2' });
    const packsBefore = (await objectNames(storage)).filter((n) => n.startsWith('packs/')).length;
    const next = await replicateManifest(fx.storage, storage, b.manifestId, { clock: fx.clock });
    const packsAfter = (await objectNames(storage)).filter((n) => n.startsWith('packs/')).length;
    assert.ok(packsAfter - packsBefore <= 2, `the second point sent ${packsAfter - packsBefore} packs`);
    assert.ok(next.objectsCopied < rerun.objectsCopied);
    const copy = await Repository.open(storage, fx.master, { clock: fx.clock });
    assert.equal(sha256(await readAll(await copy.restore(b.manifestId))), sha256(second));
    await fx.cleanup();
  });

  it('refuses a damaged source index file and a copy that reads back different, naming them', async () => {
    const fx = await tempRepo();
    const { manifestId } = await fx.repo.backup(streamOf(dumpText(1024 * 1024, 5)), { recoveryPointId: 'rp-1' });
    const damaged = new FaultyStorage(fx.storage, new FaultPlan([{ ops: ['get'], names: /^index\//, effect: 'corrupt', times: 1 }]));
    const a = await emptyStorage();
    await assert.rejects(replicateManifest(damaged, a.storage, manifestId, { clock: fx.clock }), /index file [0-9a-f]{64} does not match its name/);
    assert.ok(!(await objectNames(a.storage)).some((n) => n.startsWith('manifests/')));
    const b = await emptyStorage();
    const flips = new FaultyStorage(b.storage, new FaultPlan([{ ops: ['put'], names: /^index\//, effect: 'corrupt', times: 1 }]));
    await assert.rejects(replicateManifest(fx.storage, flips, manifestId, { clock: fx.clock }), (e: Error & { code?: string }) => e.code === 'GeoRedundantCopyMismatch' && /index\//.test(e.message));
    await fx.cleanup();
  });

  it('fails clearly for a manifest the source does not hold, copying nothing', async () => {
    const fx = await tempRepo();
    const { storage } = await emptyStorage();
    await assert.rejects(replicateManifest(fx.storage, storage, '0'.repeat(32), { clock: fx.clock }), { code: 'RepositoryManifestNotFound' });
    assert.deepEqual(await objectNames(storage), []);
    await fx.cleanup();
  });

  describe('into Azure Blob storage (Azurite) as the paired region', () => {
    const peer = usePeer(startAzurite);
    it('copies, resumes after its puts failed midway, and the copy restores alone', async () => {
      const fx = await tempRepo();
      const data = randomBytes(3 * 1024 * 1024);
      const { manifestId } = await fx.repo.backup(streamOf(data), { recoveryPointId: 'rp-1' });
      const target = stack(openStorage(peer().url('dpv-geo', `r${randomBytes(4).toString('hex')}`)), { retry: false });
      const plan = new FaultPlan([{ ops: ['put'], names: /^index\//, effect: 'fail' }]);
      await assert.rejects(replicateManifest(fx.storage, new FaultyStorage(target, plan), manifestId, { clock: fx.clock }));
      const landed = await objectNames(target);
      assert.ok(landed.some((n) => n.startsWith('packs/')) && !landed.some((n) => n.startsWith('manifests/')), landed.join(' '));
      const rerun = await replicateManifest(fx.storage, target, manifestId, { clock: fx.clock });
      assert.equal(rerun.objectsPresent, landed.length);
      const copy = await Repository.open(target, fx.master, { clock: fx.clock });
      assert.equal(sha256(await readAll(await copy.restore(manifestId))), sha256(data));
      await fx.cleanup();
    });
  });
});
