// The storage factory (src/storage/factory.ts) on a real directory: a vault's datastore opens
// under the root, datastores are found by listing, partial writes are removed, bad locations get
// a clear error, and every storage it opens has the wrapper stack.
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { backupDataStorage, StorageFactory } from '../../src/storage/factory.ts';
import { FaultPlan } from '../../src/storage/faults.ts';
import { RetryingStorage } from '../../src/storage/retry.ts';

describe('the storage factory', () => {
  let root: string;
  before(() => {
    root = mkdtempSync(join(tmpdir(), 'dpv-factory-'));
  });
  after(() => rmSync(root, { recursive: true, force: true }));

  it("opens a vault's datastore under the root, by path or by file: URL", async () => {
    const byPath = new StorageFactory(join(root, 'a'));
    assert.equal(byPath.location('rg--v', 'VaultStore'), join(root, 'a', 'rg--v', 'VaultStore'));
    await byPath.open('rg--v', 'VaultStore').put('packs/ab/abc', Buffer.from('pack'));
    assert.equal(existsSync(join(root, 'a', 'rg--v', 'VaultStore', 'packs', 'ab', 'abc')), true);
    const byUrl = new StorageFactory(pathToFileURL(join(root, 'a')).href);
    assert.equal(byUrl.location('rg--v', 'VaultStore'), pathToFileURL(join(root, 'a', 'rg--v', 'VaultStore')).href);
    assert.equal((await byUrl.open('rg--v', 'VaultStore').get('packs/ab/abc')).toString(), 'pack');
  });

  it("keeps an object store URL's parameters on every datastore's location", () => {
    const f = new StorageFactory('s3://bkt/root?endpoint=http%3A%2F%2F127.0.0.1%3A9000&region=eu-west-1');
    assert.equal(f.location('rg--v', 'VaultStore'), 's3://bkt/root/rg--v/VaultStore?endpoint=http%3A%2F%2F127.0.0.1%3A9000&region=eu-west-1');
    assert.equal(new StorageFactory('s3://bkt').location('rg--v', 'ArchiveStore'), 's3://bkt/rg--v/ArchiveStore');
  });

  it('the embedded service keeps backup data in backup-data under its data directory', () => {
    assert.equal(backupDataStorage(root).location('rg--v', 'VaultStore'), join(root, 'backup-data', 'rg--v', 'VaultStore'));
  });

  it("lists a vault's datastores that hold objects, and nothing else", async () => {
    const f = new StorageFactory(join(root, 'b'));
    assert.deepEqual(await f.datastores('rg--v'), [], 'no root yet: no datastores');
    await f.open('rg--v', 'VaultStore').put('config', Buffer.from('{}'));
    await f.open('rg--v', 'ArchiveStore').put('packs/ab/abc', Buffer.from('pack'));
    await f.open('rg--other', 'VaultStore').put('config', Buffer.from('{}'));
    mkdirSync(join(root, 'b', 'rg--v', 'Empty'));
    writeFileSync(join(root, 'b', 'rg--v', 'NotADatastore'), 'a file');
    assert.deepEqual(await f.datastores('rg--v'), ['ArchiveStore', 'VaultStore']);
    assert.deepEqual(await f.datastores('rg--none'), []);
    assert.deepEqual(await f.holding('config'), [
      { vaultKey: 'rg--other', datastore: 'VaultStore' },
      { vaultKey: 'rg--v', datastore: 'VaultStore' },
    ]);
  });

  it('removes the temporary files of interrupted puts anywhere under the root, and only those', async () => {
    const f = new StorageFactory(join(root, 'c'));
    await f.open('rg--v', 'VaultStore').put('packs/ab/abcd', Buffer.from('a whole pack'));
    const packs = join(root, 'c', 'rg--v', 'VaultStore', 'packs', 'ab');
    writeFileSync(join(packs, '.abcd.0123456789ab.tmp'), 'half a pack');
    writeFileSync(join(root, 'c', '.config.ba9876543210.tmp'), 'half a config');
    writeFileSync(join(packs, '.abcd.not-hex.tmp'), 'not ours');
    assert.equal(await f.removePartials(), 2);
    assert.equal(existsSync(join(packs, '.abcd.0123456789ab.tmp')), false);
    assert.equal(existsSync(join(root, 'c', '.config.ba9876543210.tmp')), false);
    assert.equal(existsSync(join(packs, '.abcd.not-hex.tmp')), true);
    assert.equal((await f.open('rg--v', 'VaultStore').get('packs/ab/abcd')).toString(), 'a whole pack');
    assert.equal(await new StorageFactory(join(root, 'missing')).removePartials(), 0);
  });

  it('refuses a location no backend opens, and names that would leave the root', () => {
    assert.throws(() => new StorageFactory('relative/dir'), { code: 'InvalidStorageLocation' });
    assert.throws(() => new StorageFactory('gopher://h/x'), { code: 'InvalidStorageLocation' });
    const f = new StorageFactory(join(root, 'd'));
    for (const bad of ['..', '.hidden', 'a/b', '']) {
      assert.throws(() => f.open(bad, 'VaultStore'), { code: 'InvalidStorageLocation' });
      assert.throws(() => f.open('rg--v', bad), { code: 'InvalidStorageLocation' });
    }
  });

  it('applies the wrapper stack: retry by default, faults when a test asks', async () => {
    assert.ok(new StorageFactory(join(root, 'e')).open('rg--v', 'VaultStore') instanceof RetryingStorage);
    const faults = new FaultPlan([{ ops: ['put'], effect: 'transient', times: 2 }]);
    const f = new StorageFactory(join(root, 'e'), { faults, retry: { attempts: 3, firstDelayMs: 1 } });
    await f.open('rg--v', 'VaultStore').put('x', Buffer.from('1'));
    assert.equal(faults.hits.length, 2, 'failed twice, stored on the third try');
    assert.equal((await f.open('rg--v', 'VaultStore').get('x')).toString(), '1');
  });
});
