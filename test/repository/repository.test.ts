// The repository end to end on real files: byte-exact round trips, deduplication, manifests and
// their metadata, opening, and refusal of wrong keys.
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Repository } from '../../src/repository/repository.ts';
import { readAll, streamOf, tempRepo, dumpText } from './helpers.ts';
import type { RepoFixture } from './helpers.ts';

describe('repository round trips', () => {
  let fx: RepoFixture;
  before(async () => (fx = await tempRepo({})));
  after(async () => fx.cleanup());

  it('restores empty, tiny and ~50 MB streams byte for byte', async () => {
    const big = Buffer.concat([dumpText(40 * 1024 * 1024, 3), randomBytes(10 * 1024 * 1024)]);
    for (const data of [Buffer.alloc(0), Buffer.from('x'), randomBytes(1000), big]) {
      const res = await fx.repo.backup(streamOf(data), { recoveryPointId: `rp-${data.length}` });
      assert.equal(res.size, data.length);
      const back = await readAll(await fx.repo.restore(res.manifestId));
      assert.equal(back.length, data.length);
      assert.ok(back.equals(data), `round trip of ${data.length} bytes`);
    }
    const stats = await fx.repo.stats();
    assert.equal(stats.manifests, 4);
    assert.ok(stats.packBytes < stats.logicalBytes * 0.7, 'dump text compresses');
  });

  it('reopens with the master key and restores the same bytes', async () => {
    const data = dumpText(3 * 1024 * 1024, 11);
    const res = await fx.repo.backup(streamOf(data, 1000));
    const reopened = await Repository.open(fx.storage, fx.master, { clock: fx.clock });
    assert.ok((await readAll(await reopened.restore(res.manifestId))).equals(data));
    assert.deepEqual(reopened.params, fx.repo.params);
  });
});

describe('repository deduplication and manifests', () => {
  let fx: RepoFixture;
  before(async () => (fx = await tempRepo()));
  after(async () => fx.cleanup());

  it('stores only a small fraction again when a slightly changed stream is backed up', async () => {
    const v1 = dumpText(16 * 1024 * 1024, 5);
    const first = await fx.repo.backup(streamOf(v1));
    assert.equal(first.newBytes, v1.length);
    // A few rows edited, some inserted, some deleted: like the next night's dump.
    const v2 = Buffer.concat([
      v1.subarray(0, 3_000_000),
      Buffer.from('999999\tinserted\t1\t2024-1-1\tnew row\n'),
      v1.subarray(3_000_000, 9_000_000),
      v1.subarray(9_000_500, 14_000_000),
      Buffer.from('edited tail row\n'),
      v1.subarray(14_000_000),
    ]);
    const second = await fx.repo.backup(streamOf(v2));
    assert.ok(second.newBytes < v2.length * 0.1, `second backup stored ${second.newBytes} new of ${v2.length}`);
    assert.ok(second.newChunks < second.chunks * 0.1);
    assert.ok((await readAll(await fx.repo.restore(second.manifestId))).equals(v2));
    const same = await fx.repo.backup(streamOf(v2, 4096));
    assert.equal(same.newBytes, 0, 'identical stream stores nothing new');
  });

  it('finds chunks stored earlier in the same stream, before and after their index files are written', async () => {
    // Small packs: the first half fills dozens, so index files are written (in the background)
    // while the second half, the same bytes again, is read.
    const fx2 = await tempRepo({ chunker: { min: 4096, avg: 16_384, max: 65_536 }, packSize: 65_536 });
    try {
      const half = randomBytes(3 * 1024 * 1024);
      const data = Buffer.concat([half, half]);
      const res = await fx2.repo.backup(streamOf(data));
      assert.ok(res.newBytes <= half.length + 256 * 1024, `${res.newBytes} new bytes for ${data.length} (half repeated)`);
      assert.ok((await readAll(await fx2.repo.restore(res.manifestId))).equals(data));
      const indexFiles: string[] = [];
      for await (const o of fx2.storage.list('index/')) indexFiles.push(o.name);
      assert.ok(indexFiles.length >= 2, `${indexFiles.length} index files`);
    } finally {
      await fx2.cleanup();
    }
  });

  it('keeps caller metadata and lists manifests oldest first; deletes them on request', async () => {
    fx.clock.advance(60_000);
    const res = await fx.repo.backup(streamOf(Buffer.from('meta')), { recoveryPointId: 'rp-1', metadata: { db: 'orders', tags: ['Daily'] } });
    const list = await fx.repo.listManifests();
    const last = list.at(-1)!;
    assert.equal(last.id, res.manifestId);
    assert.equal(last.recoveryPointId, 'rp-1');
    assert.deepEqual(last.metadata, { db: 'orders', tags: ['Daily'] });
    assert.equal(last.createdAt, fx.clock.now().toISOString());
    assert.equal(last.size, 4);
    assert.equal(last.version, 3);
    const ids: string[] = [];
    for await (const id of fx.repo.chunkIds(res.manifestId)) ids.push(id);
    assert.equal(ids.length, 1);
    const listHash = createHash('sha256').update('dpvault-stream-v3').update(Buffer.from(ids[0]!, 'hex')).digest('hex');
    assert.equal(last.streamHash, listHash, 'the stream hash is the hash of the chunk ids in order');
    assert.ok(list.every((m, i) => i === 0 || list[i - 1]!.createdAt <= m.createdAt));
    await fx.repo.deleteManifest(res.manifestId);
    assert.ok(!(await fx.repo.listManifests()).some((m) => m.id === res.manifestId));
    await assert.rejects(fx.repo.restore(res.manifestId), { code: 'RepositoryManifestNotFound' });
    await assert.rejects(fx.repo.deleteManifest(res.manifestId), { code: 'RepositoryManifestNotFound' });
    await assert.rejects(fx.repo.restore('../config'), { code: 'RepositoryManifestNotFound' });
    const parts: string[] = [];
    for await (const o of fx.storage.list(`chunklists/${res.manifestId}/`)) parts.push(o.name);
    assert.deepEqual(parts, [], 'its chunk list went with it');
  });

  it('stores nothing readable without the keys: no plaintext in any file', async () => {
    const marker = Buffer.from('PLAINTEXT-MARKER-'.repeat(4000));
    await fx.repo.backup(streamOf(marker), { metadata: { secretName: 'PLAINTEXT-MARKER-meta' } });
    const files = await readdir(fx.dir, { recursive: true, withFileTypes: true });
    const { readFile } = await import('node:fs/promises');
    for (const f of files.filter((e) => e.isFile())) {
      const body = await readFile(join(f.parentPath, f.name));
      assert.ok(!body.includes('PLAINTEXT-MARKER'), `${f.name} leaks plaintext`);
    }
  });
});

describe('repository opening', () => {
  it('refuses a wrong master key, a second init, and storage without a repository', async () => {
    const fx = await tempRepo();
    try {
      await assert.rejects(Repository.open(fx.storage, randomBytes(32), { clock: fx.clock }), { code: 'RepositoryKeyMismatch' });
      await assert.rejects(Repository.open(fx.storage, Buffer.alloc(5), { clock: fx.clock }), { code: 'InvalidRepositoryKey' });
      await assert.rejects(Repository.init(fx.storage, fx.master, { clock: fx.clock }), { code: 'RepositoryAlreadyExists' });
      const { FsStorage } = await import('../../src/storage/fs.ts');
      await assert.rejects(Repository.open(new FsStorage(join(fx.dir, 'nothing')), fx.master, { clock: fx.clock }), { code: 'RepositoryNotFound' });
      await assert.rejects(Repository.init(new FsStorage(join(fx.dir, 'x')), fx.master, { clock: fx.clock, packSize: 10 }), {
        code: 'InvalidRepositoryOption',
      });
    } finally {
      await fx.cleanup();
    }
  });
});
