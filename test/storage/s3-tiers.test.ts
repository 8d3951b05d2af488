// Access tiers on S3 (src/storage/s3-tiers.ts, the `tiers` of src/storage/s3.ts) against s3rver.
// s3rver keeps an object's storage class (PutObject, multipart uploads, a copy onto itself) and
// reports it in HeadObject, so those are checked against it through the SDK directly; it does not
// model RestoreObject (it answers 405) nor the x-amz-restore header, so a recording proxy in front
// of it answers RestoreObject as S3 does (202), adds the header S3 would send while and after a
// restore, and the test checks the requests our backend sent.
import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { HeadObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { openStorage } from '../../src/storage/backends.ts';
import { retrievalTierOf, storageClassOf, tierStateOf } from '../../src/storage/s3-tiers.ts';
import { ObjectRehydrations } from '../../src/storage/rehydrate-objects.ts';
import type { Storage, TierSupport } from '../../src/storage/storage.ts';
import { startS3rver, usePeer } from '../support/object-stores.ts';
import { startRecordingProxy, type RecordedRequest, type RecordingProxy } from '../support/recording-proxy.ts';

const s3rver = usePeer(startS3rver);

/** s3rver's own view of an object's storage class, through the SDK directly (not the backend). */
async function storageClass(bucket: string, key: string): Promise<string | undefined> {
  const client = new S3Client({ endpoint: s3rver().endpoint, region: 'us-east-1', forcePathStyle: true });
  try {
    return (await client.send(new HeadObjectCommand({ Bucket: bucket, Key: key }))).StorageClass;
  } finally {
    client.destroy();
  }
}

const s3Error = (code: string) => `<?xml version="1.0" encoding="UTF-8"?><Error><Code>${code}</Code><Message>${code}</Message></Error>`;

function tiersOf(s: Storage): TierSupport {
  assert.ok(s.tiers, 'the backend has tiers');
  return s.tiers;
}

describe('s3 storage classes, pure', () => {
  it('map tiers to classes, headers to tier states, priorities to retrieval tiers', () => {
    assert.equal(storageClassOf('archive', 'GLACIER'), 'GLACIER');
    assert.equal(storageClassOf('archive', 'DEEP_ARCHIVE'), 'DEEP_ARCHIVE');
    assert.equal(storageClassOf('hot', 'DEEP_ARCHIVE'), 'STANDARD');
    assert.equal(storageClassOf('cool', 'GLACIER'), 'STANDARD_IA');
    assert.deepEqual(tierStateOf(undefined, undefined), { tier: 'hot', rehydratingTo: null, readable: true });
    assert.deepEqual(tierStateOf('STANDARD_IA', undefined), { tier: 'cool', rehydratingTo: null, readable: true });
    assert.deepEqual(tierStateOf('GLACIER', undefined), { tier: 'archive', rehydratingTo: null, readable: false });
    assert.deepEqual(tierStateOf('DEEP_ARCHIVE', 'ongoing-request="true"'), { tier: 'archive', rehydratingTo: 'hot', readable: false });
    assert.deepEqual(tierStateOf('GLACIER', 'ongoing-request="false", expiry-date="Fri, 21 Dec 2012 00:00:00 GMT"'), { tier: 'archive', rehydratingTo: null, readable: true });
    assert.equal(retrievalTierOf('high', 'GLACIER'), 'Expedited');
    assert.equal(retrievalTierOf('standard', 'GLACIER'), 'Standard');
    assert.equal(retrievalTierOf('high', 'DEEP_ARCHIVE'), 'Standard', 'Deep Archive has no expedited retrieval');
  });
});

describe('s3 tiers against s3rver', () => {
  it('puts objects in the archive class (GLACIER by default, DEEP_ARCHIVE when the URL says), buffers and multipart streams alike', async () => {
    const glacier = tiersOf(openStorage(s3rver().url('classes', 'g')));
    await glacier.putInTier('packs/aa/small', Buffer.from('small'), 'archive');
    await glacier.putInTier('packs/aa/big', Readable.from([Buffer.alloc(9 * 1024 * 1024, 1)]), 'archive');
    assert.equal(await storageClass('classes', 'g/packs/aa/small'), 'GLACIER');
    assert.equal(await storageClass('classes', 'g/packs/aa/big'), 'GLACIER');
    assert.deepEqual(await glacier.getTier('packs/aa/small'), { tier: 'archive', rehydratingTo: null, readable: false });
    const deep = openStorage(`${s3rver().url('classes', 'd')}&archiveClass=DEEP_ARCHIVE`);
    await tiersOf(deep).putInTier('packs/aa/small', Buffer.from('small'), 'archive');
    assert.equal(await storageClass('classes', 'd/packs/aa/small'), 'DEEP_ARCHIVE');
    await deep.put('config', Buffer.from('plain'));
    assert.equal(await storageClass('classes', 'd/config'), undefined, 'a plain put is STANDARD');
    assert.deepEqual(await tiersOf(deep).getTier('config'), { tier: 'hot', rehydratingTo: null, readable: true });
  });

  it('moves an object to another class with a copy onto itself, keeping its bytes', async () => {
    const s = openStorage(s3rver().url('moves'));
    await s.put('packs/bb/p', Buffer.from('pack bytes'));
    await tiersOf(s).setTier('packs/bb/p', 'archive');
    assert.equal(await storageClass('moves', 'packs/bb/p'), 'GLACIER');
    await tiersOf(s).setTier('packs/bb/p', 'cool');
    assert.equal(await storageClass('moves', 'packs/bb/p'), 'STANDARD_IA');
    assert.equal((await s.get('packs/bb/p')).toString(), 'pack bytes');
  });

  describe('RestoreObject, through a recording proxy', () => {
    let proxy: RecordingProxy;
    /** HEADs of each key since its restore was asked: the first says ongoing, the later ones done. */
    const heads = new Map<string, number>();
    const isRestore = (r: RecordedRequest) => r.method === 'POST' && /[?&]restore(=|&|$)/.test(r.url);
    const keyOf = (r: RecordedRequest) => r.url.split('?')[0]!;
    before(async () => {
      proxy = await startRecordingProxy(s3rver().endpoint, {
        answer: (r) => {
          if (!isRestore(r)) return undefined;
          // What S3 answers a restore asked while one runs; then, a refusal of another kind.
          if (r.url.includes('/busy')) return { status: 409, headers: { 'content-type': 'application/xml' }, body: s3Error('RestoreAlreadyInProgress') };
          if (r.url.includes('/refused')) return { status: 403, headers: { 'content-type': 'application/xml' }, body: s3Error('AccessDenied') };
          return { status: 202 };
        },
        decorate: (r) => {
          if (r.method !== 'HEAD' || !proxy.requests.some((q) => isRestore(q) && keyOf(q) === keyOf(r))) return {};
          const n = (heads.get(keyOf(r)) ?? 0) + 1;
          heads.set(keyOf(r), n);
          return { 'x-amz-restore': n === 1 ? 'ongoing-request="true"' : 'ongoing-request="false", expiry-date="Fri, 21 Dec 2040 00:00:00 GMT"' };
        },
      });
    });
    after(() => proxy.close());
    const via = (bucket: string, extra = '') =>
      openStorage(`s3://${bucket}?${new URLSearchParams({ endpoint: proxy.endpoint, region: 'us-east-1' })}${extra}`);

    it('asks with the days and the retrieval tier of the priority', async () => {
      const s = via('restores');
      await tiersOf(s).putInTier('packs/cc/p', Buffer.from('x'), 'archive');
      await tiersOf(s).rehydrate('packs/cc/p', 'hot', 'high', 3);
      const deep = via('restores-deep', '&archiveClass=DEEP_ARCHIVE');
      await tiersOf(deep).putInTier('packs/cc/p', Buffer.from('x'), 'archive');
      await tiersOf(deep).rehydrate('packs/cc/p', 'hot', 'high', 1);
      const asked = proxy.requests.filter(isRestore).map((r) => ({
        path: keyOf(r),
        days: /<Days>(\d+)<\/Days>/.exec(r.body)?.[1],
        tier: /<GlacierJobParameters>\s*<Tier>(\w+)<\/Tier>/.exec(r.body)?.[1],
      }));
      assert.deepEqual(asked, [
        { path: '/restores/packs/cc/p', days: '3', tier: 'Expedited' },
        { path: '/restores-deep/packs/cc/p', days: '1', tier: 'Standard' },
      ]);
    });

    it('a restore asked while one runs is no failure; another refusal is', async () => {
      const s = via('refusals');
      await tiersOf(s).putInTier('packs/ee/busy', Buffer.from('x'), 'archive');
      await tiersOf(s).putInTier('packs/ee/refused', Buffer.from('x'), 'archive');
      await tiersOf(s).rehydrate('packs/ee/busy', 'hot', 'standard', 1);
      await assert.rejects(tiersOf(s).rehydrate('packs/ee/refused', 'hot', 'standard', 1), /AccessDenied/);
    });

    it('a rehydration asks once per archived object, waits until S3 reports them restored, and leaves their expiry to S3', async () => {
      const s = via('waits');
      await tiersOf(s).putInTier('packs/dd/a', Buffer.from('a'), 'archive');
      await tiersOf(s).putInTier('packs/dd/b', Buffer.from('b'), 'archive');
      await s.put('packs/dd/hot', Buffer.from('hot'));
      const before = proxy.requests.length;
      const progress: string[] = [];
      const release = await new ObjectRehydrations().rehydrate(s, ['packs/dd/a', 'packs/dd/b', 'packs/dd/hot'], {
        priority: 'standard', days: 1, pollIntervalMs: 10, onProgress: (n, total) => progress.push(`${n}/${total}`),
      });
      await release();
      const mine = proxy.requests.slice(before);
      assert.deepEqual(mine.filter(isRestore).map(keyOf), ['/waits/packs/dd/a', '/waits/packs/dd/b']);
      assert.deepEqual(progress, ['1/3', '3/3'], 'the first look found them restoring, the second restored');
      assert.equal(mine.filter((r) => r.method === 'PUT').length, 0, 'nothing is copied back: the restored copies expire by themselves');
      assert.equal(await storageClass('waits', 'packs/dd/a'), 'GLACIER');
    });
  });
});
