// Recovery from storage and the master key alone: with the index files lost or damaged, the
// index is rebuilt from the packs' trailers and every recovery point lists and restores.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { FsStorage } from '../../src/storage/fs.ts';
import { Repository } from '../../src/repository/repository.ts';
import { dumpText, readAll, streamOf, tempRepo } from './helpers.ts';

describe('recovery from storage alone', () => {
  it('rebuilds a lost index from the packs, then lists and restores every recovery point', async () => {
    const fx = await tempRepo();
    try {
      const a = dumpText(3 * 1024 * 1024, 4);
      const b = randomBytes(1024 * 1024);
      const ra = await fx.repo.backup(streamOf(a), { recoveryPointId: 'rp-a', metadata: { db: 'a' } });
      fx.clock.advance(1000);
      const rb = await fx.repo.backup(streamOf(b), { recoveryPointId: 'rp-b' });
      await rm(join(fx.dir, 'index'), { recursive: true });

      const storage = new FsStorage(fx.dir); // a new process: only the directory and the key
      const blind = await Repository.open(storage, fx.master, { clock: fx.clock });
      const report0 = await blind.verify();
      assert.equal(report0.ok, false, 'verify names chunks no index file lists');
      assert.ok(report0.missingChunks.length > 0 && report0.missingChunks.every((c) => c.unlistedPack !== null), 'and the unlisted packs that hold them');
      // The packs are self-describing: a restore finds the chunks in unlisted packs' trailers.
      assert.ok((await readAll(await blind.restore(ra.manifestId))).equals(a));

      const { repository, report } = await Repository.recover(storage, fx.master, { clock: fx.clock });
      assert.equal(report.damagedPacks.length, 0);
      assert.ok(report.packs > 0 && report.chunks > 0);
      const listed = await repository.listManifests();
      assert.deepEqual(listed.map((m) => m.recoveryPointId), ['rp-a', 'rp-b']);
      assert.deepEqual(listed[0]!.metadata, { db: 'a' });
      assert.ok((await readAll(await repository.restore(ra.manifestId))).equals(a));
      assert.ok((await readAll(await repository.restore(rb.manifestId))).equals(b));
      const reopened = await Repository.open(storage, fx.master, { clock: fx.clock });
      assert.ok((await readAll(await reopened.restore(rb.manifestId))).equals(b), 'the rebuilt index was written');
      assert.equal((await reopened.verify()).ok, true);
    } finally {
      await fx.cleanup();
    }
  });

  it('opens with a damaged index file left out, names it in verify, and recover replaces it', async () => {
    const fx = await tempRepo();
    try {
      const data = randomBytes(700_000);
      const r = await fx.repo.backup(streamOf(data));
      const [indexFile] = await readdir(join(fx.dir, 'index'));
      const path = join(fx.dir, 'index', indexFile!);
      const body = await readFile(path);
      body[body.length >> 1]! ^= 1;
      await writeFile(path, body);
      const opened = await Repository.open(fx.storage, fx.master, { clock: fx.clock });
      const report0 = await opened.verify();
      assert.equal(report0.ok, false);
      assert.ok(report0.damagedObjects.some((d) => d.name === `index/${indexFile}`), JSON.stringify(report0.damagedObjects));
      assert.ok((await readAll(await opened.restore(r.manifestId))).equals(data), 'restores from the unlisted packs');
      const { repository, report } = await Repository.recover(fx.storage, fx.master, { clock: fx.clock });
      assert.equal(report.indexFilesRemoved, 1);
      assert.ok((await readAll(await repository.restore(r.manifestId))).equals(data));
      await Repository.open(fx.storage, fx.master, { clock: fx.clock });
    } finally {
      await fx.cleanup();
    }
  });

  it('reports packs whose trailer is damaged instead of failing the rebuild', async () => {
    const fx = await tempRepo();
    try {
      await fx.repo.backup(streamOf(randomBytes(1024 * 1024)));
      const packs: string[] = [];
      for await (const o of fx.storage.list('packs/')) packs.push(o.name);
      const path = join(fx.dir, packs[0]!);
      const body = await readFile(path);
      body[body.length - 20]! ^= 1;
      await writeFile(path, body);
      const { report } = await Repository.recover(fx.storage, fx.master, { clock: fx.clock });
      assert.deepEqual(report.damagedPacks.map((p) => p.pack), [packs[0]]);
      assert.equal(report.packs, packs.length - 1);
    } finally {
      await fx.cleanup();
    }
  });
});
