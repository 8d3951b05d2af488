// The Azure Blob backend against Azurite, Microsoft's emulator, started by the test: the shared
// conformance suite (listing in small pages), access tiers read back from the emulator, and
// credentials that never show in errors.
import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { describe, it } from 'node:test';
import { BlobServiceClient, StorageSharedKeyCredential } from '@azure/storage-blob';
import { openStorage } from '../../src/storage/backends.ts';
import { AzureBlobStorage, azureCredentials } from '../../src/storage/azure-blob.ts';
import { parseObjectStoreUrl } from '../../src/storage/object-url.ts';
import { ObjectRehydrations } from '../../src/storage/rehydrate-objects.ts';
import { isNotFound, isTransient, STORAGE_CREDENTIALS_MISSING, STORAGE_OBJECT_ARCHIVED } from '../../src/storage/storage.ts';
import { AZURITE_ACCOUNT, AZURITE_KEY, startAzurite, usePeer } from '../support/object-stores.ts';
import { storageConformance } from './suite.ts';

const azurite = usePeer(startAzurite);
let containers = 0;

storageConformance('azure blob (Azurite)', async () => {
  const storage = new AzureBlobStorage(parseObjectStoreUrl(new URL(azurite().url(`conformance-${++containers}`, 'some/prefix'))), { listPageSize: 250 });
  return { storage, cleanup: async () => undefined };
});

/** The emulator's own view of a blob, through the SDK directly (not through the backend). */
async function blobTier(container: string, blob: string): Promise<{ tier: string | undefined; archiveStatus: string | undefined }> {
  const service = new BlobServiceClient(azurite().endpoint, new StorageSharedKeyCredential(AZURITE_ACCOUNT, AZURITE_KEY));
  const p = await service.getContainerClient(container).getBlobClient(blob).getProperties();
  return { tier: p.accessTier, archiveStatus: p.archiveStatus };
}

describe('azure blob backend against Azurite', () => {
  it('moves blobs between tiers, refuses to read archived ones, and rehydrates them', async () => {
    const s = openStorage(azurite().url('tiers', 'vault'));
    assert.ok(s.tiers, 'the backend has tiers');
    await s.put('packs/aa/p1', Buffer.from('pack one'));
    assert.equal((await blobTier('tiers', 'vault/packs/aa/p1')).tier, 'Hot');
    await s.tiers.setTier('packs/aa/p1', 'archive');
    assert.equal((await blobTier('tiers', 'vault/packs/aa/p1')).tier, 'Archive');
    assert.deepEqual(await s.tiers.getTier('packs/aa/p1'), { tier: 'archive', rehydratingTo: null, readable: false });
    await assert.rejects(s.get('packs/aa/p1'), { code: STORAGE_OBJECT_ARCHIVED });
    await assert.rejects(s.getStream('packs/aa/p1'), { code: STORAGE_OBJECT_ARCHIVED });
    await s.tiers.rehydrate('packs/aa/p1', 'hot', 'high', 1);
    // Azurite rehydrates at once; Azure reports `rehydrate-pending-to-hot` for hours first.
    const after = await s.tiers.getTier('packs/aa/p1');
    assert.ok(after.tier === 'hot' || after.rehydratingTo === 'hot', JSON.stringify(after));
    assert.equal((await blobTier('tiers', 'vault/packs/aa/p1')).tier, 'Hot');
    assert.equal((await s.get('packs/aa/p1')).toString(), 'pack one');
    await s.tiers.setTier('packs/aa/p1', 'cool');
    assert.equal((await blobTier('tiers', 'vault/packs/aa/p1')).tier, 'Cool');
    await assert.rejects(s.tiers.setTier('packs/aa/missing', 'cool'), (e: unknown) => isNotFound(e));
  });

  it('puts blobs straight into a tier, buffers and streams alike', async () => {
    const s = openStorage(azurite().url('put-tiers', 'v'));
    assert.ok(s.tiers);
    await s.tiers.putInTier('packs/bb/small', Buffer.from('small'), 'archive');
    const big = Buffer.alloc(9 * 1024 * 1024, 7); // more than one block: the staged-blocks path
    await s.tiers.putInTier('packs/bb/big', Readable.from([big]), 'archive');
    await s.tiers.putInTier('packs/bb/cool', Readable.from([Buffer.from('cool')]), 'cool');
    assert.equal((await blobTier('put-tiers', 'v/packs/bb/small')).tier, 'Archive');
    assert.equal((await blobTier('put-tiers', 'v/packs/bb/big')).tier, 'Archive');
    assert.equal((await blobTier('put-tiers', 'v/packs/bb/cool')).tier, 'Cool');
    assert.equal((await s.stat('packs/bb/big')).size, big.length);
    await assert.rejects(s.get('packs/bb/small'), { code: STORAGE_OBJECT_ARCHIVED });
    assert.deepEqual(await s.tiers.getTier('packs/bb/cool'), { tier: 'cool', rehydratingTo: null, readable: true });
  });

  it('a rehydration brings archived blobs to Hot for its readers and moves them back to Archive when the last lets go', async () => {
    const s = openStorage(azurite().url('rehydrations', 'r'));
    assert.ok(s.tiers);
    await s.tiers.putInTier('packs/cc/a', Buffer.from('a'), 'archive');
    await s.tiers.putInTier('packs/cc/b', Buffer.from('b'), 'archive');
    await s.put('packs/cc/hot', Buffer.from('hot'));
    const rehydrations = new ObjectRehydrations();
    const opts = { priority: 'standard' as const, days: 1, pollIntervalMs: 10 };
    const first = await rehydrations.rehydrate(s, ['packs/cc/a', 'packs/cc/hot'], opts);
    const second = await rehydrations.rehydrate(s, ['packs/cc/a', 'packs/cc/b'], opts);
    assert.equal((await s.get('packs/cc/a')).toString(), 'a');
    assert.equal((await s.get('packs/cc/b')).toString(), 'b');
    await first();
    assert.equal((await blobTier('rehydrations', 'r/packs/cc/a')).tier, 'Hot', 'still read by the second');
    assert.equal((await blobTier('rehydrations', 'r/packs/cc/hot')).tier, 'Hot', 'never archived, never moved');
    await second();
    await second();
    assert.equal((await blobTier('rehydrations', 'r/packs/cc/a')).tier, 'Archive');
    assert.equal((await blobTier('rehydrations', 'r/packs/cc/b')).tier, 'Archive');
    assert.equal((await blobTier('rehydrations', 'r/packs/cc/hot')).tier, 'Hot');
  });

  it('a container that does not exist yet lists nothing, reads not-found and is created on the first put', async () => {
    const s = openStorage(azurite().url('created-on-put'));
    for await (const info of s.list('')) assert.fail(`listed ${info.name}`);
    await assert.rejects(s.get('x'), (e: unknown) => isNotFound(e));
    await assert.rejects(s.stat('x'), (e: unknown) => isNotFound(e));
    await s.delete('x');
    await s.put('x', Buffer.from('y'));
    assert.equal((await s.get('x')).toString(), 'y');
  });

  it('takes credentials only from the environment, the location\'s endpoint winning over a connection string\'s', () => {
    const loc = parseObjectStoreUrl(new URL('azblob://cont?endpoint=http%3A%2F%2F127.0.0.1%3A1%2Facct'));
    const fromString = azureCredentials(loc, { AZURE_STORAGE_CONNECTION_STRING: `AccountName=acct;AccountKey=${AZURITE_KEY};BlobEndpoint=http://elsewhere:10000/acct` });
    assert.equal(fromString.serviceUrl, 'http://127.0.0.1:1/acct');
    const cloud = azureCredentials(parseObjectStoreUrl(new URL('azblob://cont')), { AZURE_STORAGE_ACCOUNT: 'acct', AZURE_STORAGE_KEY: AZURITE_KEY });
    assert.equal(cloud.serviceUrl, 'https://acct.blob.core.windows.net');
    const sas = azureCredentials(loc, { AZURE_STORAGE_CONNECTION_STRING: 'BlobEndpoint=http://x/acct;SharedAccessSignature=sv=1&sig=abc' });
    assert.equal(sas.serviceUrl, 'http://127.0.0.1:1/acct?sv=1&sig=abc');
    assert.throws(() => azureCredentials(loc, {}), (e: Error & { code?: string }) => {
      assert.equal(e.code, STORAGE_CREDENTIALS_MISSING);
      assert.match(e.message, /AZURE_STORAGE_CONNECTION_STRING/);
      return true;
    });
  });

  it('a wrong key is a permanent failure whose message holds no secret; an unreachable endpoint a transient one', async () => {
    const wrongKey = Buffer.from('not the key of this account, at all!').toString('base64');
    const loc = parseObjectStoreUrl(new URL(azurite().url('creds')));
    const s = new AzureBlobStorage(loc, { env: { AZURE_STORAGE_ACCOUNT: AZURITE_ACCOUNT, AZURE_STORAGE_KEY: wrongKey } });
    await assert.rejects(s.put('x', Buffer.from('y')), (e: unknown) => {
      assert.equal(isTransient(e), false, String(e));
      assert.doesNotMatch((e as Error).message, new RegExp(wrongKey.slice(0, 20)));
      return true;
    });
    const away = openStorage('azblob://nowhere?endpoint=http%3A%2F%2F127.0.0.1%3A1%2Facct');
    await assert.rejects(away.get('x'), (e: unknown) => {
      assert.ok(isTransient(e), String(e));
      assert.match((e as Error).message, /azblob:\/\/nowhere/);
      return true;
    });
  });
});
