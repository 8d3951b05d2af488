// Garbage collection on a real repository: it frees what only deleted recovery points used,
// repacks, honours the grace period and `protect`, and never removes a chunk that a live
// manifest or a backup running beside it needs.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { describe, it } from 'node:test';
import { Repository } from '../../src/repository/repository.ts';
import { dumpText, gate, readAll, streamOf, tempRepo } from './helpers.ts';

async function packCount(storage: { list(p: string): AsyncIterable<unknown> }): Promise<number> {
  let n = 0;
  for await (const _ of storage.list('packs/')) n++;
  return n;
}

describe('gc', () => {
  it('frees what only deleted recovery points used and keeps every live chunk', async () => {
    const fx = await tempRepo();
    try {
      const a = dumpText(4 * 1024 * 1024, 21);
      const b = Buffer.concat([a.subarray(0, 2_000_000), Buffer.from('changed\n'), a.subarray(2_000_000)]);
      const c = randomBytes(2 * 1024 * 1024);
      const ra = await fx.repo.backup(streamOf(a));
      const rb = await fx.repo.backup(streamOf(b));
      const rc = await fx.repo.backup(streamOf(c));
      const before = await fx.repo.stats();
      await fx.repo.deleteManifest(ra.manifestId);
      await fx.repo.deleteManifest(rc.manifestId);
      fx.catchUp();
      const report = await fx.repo.gc({ graceMs: 0 });
      assert.ok(report.packsDeleted > 0, 'the packs only c used are gone');
      assert.equal(report.liveChunksMissing, 0);
      const after = await fx.repo.stats();
      assert.ok(after.packBytes < before.packBytes - c.length * 0.9, `freed ${before.packBytes - after.packBytes}`);
      assert.ok((await readAll(await fx.repo.restore(rb.manifestId))).equals(b));
      assert.equal((await fx.repo.verify()).ok, true);
      // A fresh open sees the same, from the consolidated index alone.
      const reopened = await Repository.open(fx.storage, fx.master, { clock: fx.clock });
      assert.ok((await readAll(await reopened.restore(rb.manifestId))).equals(b));
      assert.equal((await fx.repo.stats()).indexFiles, 1);

      await fx.repo.deleteManifest(rb.manifestId);
      fx.catchUp();
      const last = await fx.repo.gc({ graceMs: 0 });
      assert.equal(await packCount(fx.storage), 0, 'nothing is left once no recovery point remains');
      assert.equal(last.liveChunks, 0);
    } finally {
      await fx.cleanup();
    }
  });

  it('repacks mostly dead packs and the live data still restores', async () => {
    const fx = await tempRepo();
    try {
      // y keeps every other 256 KiB piece of x, so x's packs end up part live, part dead.
      const pieces = Array.from({ length: 12 }, () => randomBytes(256 * 1024));
      const x = Buffer.concat(pieces);
      const y = Buffer.concat(pieces.filter((_, i) => i % 2 === 0));
      const rx = await fx.repo.backup(streamOf(x));
      const ry = await fx.repo.backup(streamOf(y));
      await fx.repo.deleteManifest(rx.manifestId);
      fx.catchUp();
      const report = await fx.repo.gc({ graceMs: 0, repackDeadRatio: 0.01 });
      assert.ok(report.packsRepacked >= 1, JSON.stringify(report));
      assert.ok(report.packsWritten >= 1);
      assert.ok((await readAll(await fx.repo.restore(ry.manifestId))).equals(y));
      const verify = await fx.repo.verify();
      assert.equal(verify.ok, true, JSON.stringify(verify));
      const reopened = await Repository.open(fx.storage, fx.master, { clock: fx.clock });
      assert.ok((await readAll(await reopened.restore(ry.manifestId))).equals(y));
    } finally {
      await fx.cleanup();
    }
  });

  it('leaves packs younger than the grace period, and honours protect', async () => {
    const fx = await tempRepo();
    try {
      const r = await fx.repo.backup(streamOf(randomBytes(1024 * 1024)));
      const ids: string[] = [];
      for await (const id of fx.repo.chunkIds(r.manifestId)) ids.push(id);
      await fx.repo.deleteManifest(r.manifestId);
      fx.catchUp();
      const young = await fx.repo.gc();
      assert.equal(young.packsDeleted, 0);
      assert.ok(young.packsKeptYoung > 0);
      fx.clock.advance(25 * 60 * 60 * 1000);
      const guarded = await fx.repo.gc({ protect: ids });
      assert.equal(guarded.packsDeleted + guarded.packsRepacked, 0, 'protected chunks stay');
      const n = await packCount(fx.storage);
      const freed = await fx.repo.gc();
      assert.equal(freed.packsDeleted, n);
    } finally {
      await fx.cleanup();
    }
  });

  it('never removes what a backup running beside it references or has written', async () => {
    const fx = await tempRepo();
    try {
      const a = randomBytes(4 * 1024 * 1024);
      const ra = await fx.repo.backup(streamOf(a));
      await fx.repo.deleteManifest(ra.manifestId); // every chunk of a is now dead...
      const fresh = randomBytes(1536 * 1024);
      const b = Buffer.concat([a.subarray(0, 2 * 1024 * 1024), fresh, a.subarray(2 * 1024 * 1024)]);
      const paused = gate();
      const reached = gate();
      async function* source(): AsyncGenerator<Buffer> {
        const cut = 2 * 1024 * 1024 + fresh.length;
        for (let o = 0; o < cut; o += 65_536) yield b.subarray(o, Math.min(o + 65_536, cut));
        reached.open();
        await paused.wait;
        for (let o = cut; o < b.length; o += 65_536) yield b.subarray(o, Math.min(o + 65_536, b.length));
      }
      // ...until backup b, which deduplicates against the first half of a, is paused midway.
      const running = fx.repo.backup(Readable.from(source()));
      await reached.wait;
      fx.catchUp();
      const report = await fx.repo.gc({ graceMs: 0, repackDeadRatio: 0.01 });
      assert.ok(report.packsDeleted + report.packsRepacked > 0, 'chunks only a used were collected');
      paused.open();
      const rb = await running;
      assert.ok((await readAll(await fx.repo.restore(rb.manifestId))).equals(b), 'the backup that ran beside gc restores');
      const verify = await fx.repo.verify();
      assert.equal(verify.ok, true, JSON.stringify(verify.missingChunks.slice(0, 3)));
      const reopened = await Repository.open(fx.storage, fx.master, { clock: fx.clock });
      assert.ok((await readAll(await reopened.restore(rb.manifestId))).equals(b), 'and restores from storage alone');
      fx.catchUp();
      const again = await reopened.gc({ graceMs: 0 });
      assert.equal(again.liveChunksMissing, 0);
      assert.ok((await readAll(await reopened.restore(rb.manifestId))).equals(b));
    } finally {
      await fx.cleanup();
    }
  });

  it('refuses to run twice at once', async () => {
    const fx = await tempRepo();
    try {
      await fx.repo.backup(streamOf(randomBytes(100_000)));
      const first = fx.repo.gc({ graceMs: 0 });
      await assert.rejects(fx.repo.gc({ graceMs: 0 }), { code: 'RepositoryGcRunning' });
      await first;
    } finally {
      await fx.cleanup();
    }
  });

  it('leaves this process with the index it wrote: the next backup does not reload it, and what another process indexed is learnt', async () => {
    const fx = await tempRepo();
    try {
      const a = dumpText(1024 * 1024, 31);
      await fx.repo.backup(streamOf(a));
      await fx.repo.backup(streamOf(randomBytes(200_000)));
      // Another process backs up new data; this one has not seen its index file.
      const other = await Repository.open(fx.storage, fx.master, { clock: fx.clock });
      const c = randomBytes(300_000);
      await other.backup(streamOf(c));
      fx.catchUp();
      let reloads = 0;
      const refresh = fx.repo.refresh.bind(fx.repo);
      fx.repo.refresh = () => (reloads++, refresh());
      // Nothing to delete; three index files become one.
      const report = await fx.repo.gc({ graceMs: 0 });
      assert.equal(report.packsDeleted + report.packsRepacked, 0);
      assert.ok(report.indexFilesReplaced >= 3, `${report.indexFilesReplaced} index files replaced`);
      const fresh = await Repository.open(fx.storage, fx.master, { clock: fx.clock });
      assert.equal((await fx.repo.stats()).chunks, (await fresh.stats()).chunks, 'the other process\'s chunks are in this index');
      // Backing the other's data up again here stores nothing new, without a reload of the index.
      const again = await fx.repo.backup(streamOf(c));
      assert.equal(reloads, 0, 'the backup after this process\'s gc did not reload the index');
      assert.equal(again.newBytes, 0);
      assert.ok((await readAll(await fx.repo.restore(again.manifestId))).equals(c));
      // Another process's gc still makes this one reload before its next backup.
      await other.backup(streamOf(randomBytes(100_000)));
      fx.catchUp();
      await other.gc({ graceMs: 0 });
      await fx.repo.backup(streamOf(a));
      assert.equal(reloads, 1, 'a gc elsewhere rewrote the files this index stood for');
      assert.equal((await fx.repo.verify()).ok, true);
    } finally {
      await fx.cleanup();
    }
  });
});
