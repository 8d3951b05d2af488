// Issue 18 item 3, done when: an archived recovery point restores after rehydration on Azurite,
// and the tier of every object is what the policy says at each step, read from the emulator
// itself (the SDK directly), never from dpvault's bookkeeping: VaultStore hot; moved to the
// archive by the retention job (ArchiveStore's packs Archive, its metadata readable); rehydrated
// during the restore (the pack read while Hot, then moved back to Archive); the VaultStore copy
// hot for the requested days and gone after them. The same on s3rver as far as it models storage
// classes (GLACIER); its missing RestoreObject and x-amz-restore come from a recording proxy.
import assert from 'node:assert/strict';
import { after, afterEach, before, describe, it } from 'node:test';
import { HeadObjectCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { BlobServiceClient, StorageSharedKeyCredential } from '@azure/storage-blob';
import { rehydrateForRestore } from '../../src/jobs/rehydration.ts';
import { sweepRetention } from '../../src/jobs/retention-job.ts';
import { vaultStoreKey } from '../../src/domain/recovery-point-store.ts';
import type { RestoreRequest } from '../../src/domain/restore-request.ts';
import { STORAGE_OBJECT_ARCHIVED } from '../../src/storage/storage.ts';
import { AZURITE_ACCOUNT, AZURITE_KEY, startAzurite, startS3rver, usePeer } from '../support/object-stores.ts';
import { startRecordingProxy, type RecordedRequest, type RecordingProxy } from '../support/recording-proxy.ts';
import { protectedFixture, type Fixture } from './protected-fixture.ts';

const request = (priority: 'Standard' | 'High'): RestoreRequest => ({
  objectType: 'AzureBackupRestoreWithRehydrationRequest', recoveryPointId: '', sourceDataStoreType: 'ArchiveStore',
  target: { kind: 'files', url: 'file:///nowhere', filePrefix: 'x', restoreLocation: 'westus' },
  rehydrationPriority: priority, rehydrationRetentionDuration: 'P10D',
});
const CONTENT = 'the january dump, '.repeat(2000);

/** Each stored object of the vault's datastore (`<datastore>/<name>`) with its tier, as the store reports it. */
type Tiers = Record<string, string>;
const packs = (t: Tiers, datastore: string) => Object.entries(t).filter(([n]) => n.startsWith(`${datastore}/packs/`)).map(([, tier]) => tier);
const others = (t: Tiers, datastore: string) =>
  Object.entries(t).filter(([n]) => n.startsWith(`${datastore}/`) && !n.startsWith(`${datastore}/packs/`)).map(([, tier]) => tier);

let fx: Fixture | undefined;
afterEach(async () => {
  await fx?.close();
  fx = undefined;
});

/**
 * A point backed up, moved to the archive, rehydrated and restored, its copy expired; the store's
 * tiers after each step. The fixture's clock starts at the real time: the emulators stamp objects
 * with it, and gc keeps packs younger than its grace by that stamp.
 */
async function walk(location: string, tiers: () => Promise<Tiers>, priority: 'Standard' | 'High', refusesArchivedReads: boolean) {
  const start = new Date(Math.floor(Date.now() / 60_000) * 60_000);
  fx = await protectedFixture(start.toISOString(), undefined, { storage: { location, setting: 'the test' }, rehydrationPollMs: 10 });
  const f = fx;
  const rp = await f.addPoint(start.toISOString(), 'Monthly', CONTENT);
  const seen: Record<string, Tiers> = { backedUp: await tiers() };
  f.clock.set(rp.properties.recoveryPointDataStoresDetails[0]!.expiryTime!);
  assert.deepEqual((await sweepRetention(f.ctx)).steps, { copy: 1, retire: 1, purge: 1 });
  await collect(f);
  seen.archived = await tiers();
  const moved = (await f.point(rp.name))!;
  if (refusesArchivedReads) await assert.rejects(readAll(f, moved.internal.data.ArchiveStore!), { code: STORAGE_OBJECT_ARCHIVED });
  const verified = await f.ctx.store.verify(vaultStoreKey(f.vaultId), 100);
  assert.ok(verified.ok, `a verify reads no archived pack and finds nothing wrong: ${JSON.stringify(verified.problems)}`);
  const restoreAt = new Date(f.clock.now().getTime() + 86_400_000);
  f.clock.set(restoreAt.toISOString());
  const copy = await rehydrateForRestore(f.ctx, `${f.vaultId}/backupJobs/restore-1`, rp.id, { ...request(priority), recoveryPointId: rp.name });
  assert.equal(await f.bytes(copy), CONTENT, 'the rehydrated copy restores the archived bytes');
  seen.restored = await tiers();
  const expiry = new Date(restoreAt.getTime() + 10 * 86_400_000).toISOString();
  const shown = (await f.point(rp.name))!.properties.recoveryPointDataStoresDetails.map((d) => [d.type, d.rehydrationStatus, d.rehydrationExpiryTime]);
  assert.deepEqual(shown, [['ArchiveStore', null, null], ['VaultStore', 'COMPLETED', expiry]]);
  f.clock.set(new Date(Date.parse(expiry) + 1000).toISOString());
  assert.deepEqual((await sweepRetention(f.ctx)).steps, { expireRehydrated: 1, purge: 1 });
  await collect(f);
  seen.expired = await tiers();
  return seen;
}

/** The vault's garbage collected now (the maintenance a retention sweep's deletions lead to). */
async function collect(f: Fixture): Promise<void> {
  await f.ctx.store.maintain(vaultStoreKey(f.vaultId));
}

async function readAll(f: Fixture, stored: Parameters<Fixture['bytes']>[0]): Promise<void> {
  for await (const _ of f.ctx.store.read(stored, 'archived')) void _;
}

describe('an archived recovery point on Azure Blob (Azurite)', () => {
  const azurite = usePeer(startAzurite);
  let proxy: RecordingProxy;
  before(async () => {
    proxy = await startRecordingProxy(azurite().endpoint.replace(/\/devstoreaccount1$/, ''));
  });
  after(() => proxy.close());

  it('has the tiers the policy says at each step, read from the emulator', async () => {
    const container = 'archive-walk';
    const vaultKey = vaultStoreKey('/subscriptions/x/resourceGroups/rg/providers/Microsoft.DataProtection/backupVaults/vault');
    const service = new BlobServiceClient(azurite().endpoint, new StorageSharedKeyCredential(AZURITE_ACCOUNT, AZURITE_KEY));
    const tiers = async (): Promise<Tiers> => {
      const out: Tiers = {};
      for await (const b of service.getContainerClient(container).listBlobsFlat({ prefix: `svc/${vaultKey}/` })) {
        out[b.name.slice(`svc/${vaultKey}/`.length)] = b.properties.accessTier ?? '?';
      }
      return out;
    };
    const location = `azblob://${container}/svc?${new URLSearchParams({ endpoint: `${proxy.endpoint}/${AZURITE_ACCOUNT}` })}`;
    const seen = await walk(location, tiers, 'High', true);
    assert.ok(packs(seen.backedUp!, 'VaultStore').length > 0);
    assert.deepEqual(new Set(packs(seen.backedUp!, 'VaultStore')), new Set(['Hot']), 'VaultStore packs are hot');
    assert.deepEqual(packs(seen.archived!, 'VaultStore'), [], 'the VaultStore packs are gone once the point moved');
    assert.ok(packs(seen.archived!, 'ArchiveStore').length > 0);
    assert.deepEqual(new Set(packs(seen.archived!, 'ArchiveStore')), new Set(['Archive']), 'ArchiveStore packs are archived');
    assert.deepEqual(new Set(others(seen.archived!, 'ArchiveStore')), new Set(['Hot']), 'its config, index and manifests stay readable');
    // During the restore: each archived pack asked to Hot with the priority, read (Azurite refuses
    // reads of archived blobs, so a 200 means it was Hot then), then moved back to Archive.
    const packPaths = Object.keys(seen.archived!).filter((n) => n.startsWith('ArchiveStore/packs/')).map((n) => `/${AZURITE_ACCOUNT}/${container}/svc/${vaultKey}/${n}`);
    for (const path of packPaths) {
      const calls = proxy.requests.filter((r) => r.url.split('?')[0] === path);
      const setTier = (r: RecordedRequest, tier: string) => r.method === 'PUT' && /[?&]comp=tier/.test(r.url) && r.headers['x-ms-access-tier'] === tier;
      const asked = calls.findIndex((r) => setTier(r, 'Hot'));
      const read = calls.findIndex((r, i) => i > asked && r.method === 'GET' && (r.status === 200 || r.status === 206));
      const back = calls.findIndex((r, i) => i > read && setTier(r, 'Archive'));
      assert.ok(asked >= 0 && read > asked && back > read, `rehydrate, read, archive again, in that order, for ${path}: ${calls.map((r) => `${r.method} ${r.url.split('?')[1] ?? ''} ${r.headers['x-ms-access-tier'] ?? ''} ${r.status}`).join('; ')}`);
      assert.equal(calls[asked]!.headers['x-ms-rehydrate-priority'], 'High');
    }
    assert.deepEqual(new Set(packs(seen.restored!, 'ArchiveStore')), new Set(['Archive']), 'back in the archive once copied');
    assert.ok(packs(seen.restored!, 'VaultStore').length > 0);
    assert.deepEqual(new Set(packs(seen.restored!, 'VaultStore')), new Set(['Hot']), 'the rehydrated copy is hot');
    assert.deepEqual(packs(seen.expired!, 'VaultStore'), [], 'the rehydrated copy is gone after its days');
    assert.deepEqual(new Set(packs(seen.expired!, 'ArchiveStore')), new Set(['Archive']), 'the archived point stays archived');
  });
});

describe('an archived recovery point on S3 (s3rver)', () => {
  const s3rver = usePeer(startS3rver);
  let proxy: RecordingProxy;
  const isRestore = (r: RecordedRequest) => r.method === 'POST' && /[?&]restore(=|&|$)/.test(r.url);
  before(async () => {
    // s3rver keeps storage classes but answers RestoreObject with 405 and sends no x-amz-restore:
    // the proxy answers the one as S3 does and adds the other once a restore was asked.
    proxy = await startRecordingProxy(s3rver().endpoint, {
      answer: (r) => (isRestore(r) ? { status: 202 } : undefined),
      decorate: (r) => (r.method === 'HEAD' && proxy.requests.some((q) => isRestore(q) && q.url.split('?')[0] === r.url.split('?')[0])
        ? { 'x-amz-restore': 'ongoing-request="false", expiry-date="Fri, 21 Dec 2040 00:00:00 GMT"' }
        : {}),
    });
  });
  after(() => proxy.close());

  it('has the storage classes the policy says at each step, read from s3rver, and asks S3 to restore the archived packs', async () => {
    const bucket = 'archive-walk';
    const vaultKey = vaultStoreKey('/subscriptions/x/resourceGroups/rg/providers/Microsoft.DataProtection/backupVaults/vault');
    const client = new S3Client({ endpoint: s3rver().endpoint, region: 'us-east-1', forcePathStyle: true });
    after(() => client.destroy());
    const tiers = async (): Promise<Tiers> => {
      const out: Tiers = {};
      const listed = await client.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: `svc/${vaultKey}/` })).catch(() => ({ Contents: [] }));
      for (const o of listed.Contents ?? []) {
        // s3rver's listing always says STANDARD; HeadObject says what it stored.
        const head = await client.send(new HeadObjectCommand({ Bucket: bucket, Key: o.Key! })).catch(() => null);
        // A repository lock may be released between the listing and this look.
        if (head) out[o.Key!.slice(`svc/${vaultKey}/`.length)] = head.StorageClass ?? 'STANDARD';
      }
      return out;
    };
    const location = `s3://${bucket}/svc?${new URLSearchParams({ endpoint: proxy.endpoint, region: 'us-east-1' })}`;
    const seen = await walk(location, tiers, 'Standard', false);
    assert.deepEqual(new Set(packs(seen.backedUp!, 'VaultStore')), new Set(['STANDARD']));
    assert.deepEqual(new Set(packs(seen.archived!, 'ArchiveStore')), new Set(['GLACIER']));
    assert.deepEqual(new Set(others(seen.archived!, 'ArchiveStore')), new Set(['STANDARD']));
    const archived = Object.keys(seen.archived!).filter((n) => n.startsWith('ArchiveStore/packs/')).map((n) => `/${bucket}/svc/${vaultKey}/${n}`);
    const restores = proxy.requests.filter(isRestore);
    assert.deepEqual(restores.map((r) => r.url.split('?')[0]).sort(), archived.sort(), 'one RestoreObject per archived pack');
    for (const r of restores) {
      assert.match(r.body, /<Days>1<\/Days>/);
      assert.match(r.body, /<Tier>Standard<\/Tier>/);
    }
    assert.deepEqual(new Set(packs(seen.restored!, 'ArchiveStore')), new Set(['GLACIER']), 'the packs stay in GLACIER: S3 expires the restored copies');
    assert.deepEqual(new Set(packs(seen.restored!, 'VaultStore')), new Set(['STANDARD']));
    assert.deepEqual(packs(seen.expired!, 'VaultStore'), []);
    assert.deepEqual(new Set(packs(seen.expired!, 'ArchiveStore')), new Set(['GLACIER']));
  });
});
