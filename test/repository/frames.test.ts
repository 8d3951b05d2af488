// Frames: consecutive new chunks sealed together as one blob (format 2). Restores that take single
// chunks out of old frames, in any order, are byte-exact; gc keeps a frame whole while any of its
// chunks lives; verify checks every chunk of a frame; a format-1 repository stays format 1.
import assert from 'node:assert/strict';
import { readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { Repository } from '../../src/repository/repository.ts';
import { openConfig } from '../../src/repository/config-copies.ts';
import { listAll } from '../../src/repository/io.ts';
import { PACK_PREFIX, packIdOf } from '../../src/repository/layout.ts';
import { blobsOf, readTrailer } from '../../src/repository/pack.ts';
import { readAll, sha256, streamOf, tempRepo, dumpText } from './helpers.ts';
import type { RepoFixture } from './helpers.ts';

const FRAMED = { chunker: { min: 1024, avg: 4096, max: 16 * 1024 }, packSize: 256 * 1024, frameBytes: 32 * 1024 };

/** Chunks per blob over every pack of the repository, read from the packs' trailers. */
async function blobSizes(fx: RepoFixture): Promise<number[]> {
  const { dataKey } = (await openConfig(fx.storage, fx.master)).keys;
  const sizes: number[] = [];
  for (const info of await listAll(fx.storage, PACK_PREFIX)) {
    const entries = await readTrailer(fx.storage, dataKey, packIdOf(info.name)!, info.size);
    for (const b of blobsOf(entries)) sizes.push(b.entries.length);
  }
  return sizes;
}

describe('frames', () => {
  for (const threads of [1, 2]) {
    it(`seals runs of new chunks as frames; restores taking chunks out of old frames in any order are exact (${threads} sealing thread${threads > 1 ? 's' : ''})`, async () => {
      const fx = await tempRepo({ ...FRAMED, compressConcurrency: threads });
      try {
        const a = dumpText(3 * 1024 * 1024, 7);
        const ra = await fx.repo.backup(streamOf(a));
        // Shares stretches of `a`, in another order, around new data: many chunks are single picks
        // out of frames written by the first backup, and known chunks lie between new ones.
        // Over a batch (1 MiB) long, so a sealing thread takes it.
        const b = Buffer.concat([a.subarray(2_000_000, 2_400_000), dumpText(100_000, 8), a.subarray(100_000, 300_000), dumpText(30_000, 9), a.subarray(1_000_000, 1_900_000)]);
        const rb = await fx.repo.backup(streamOf(b));
        assert.ok(rb.newBytes < b.length / 2, `most of the second stream deduplicates (${rb.newBytes} of ${b.length} new)`);
        const sizes = await blobSizes(fx);
        assert.ok(sizes.some((n) => n > 1), 'some blobs hold several chunks');
        assert.ok(sizes.length < ra.chunks, `fewer blobs (${sizes.length}) than chunks (${ra.chunks})`);
        assert.equal(sha256(await readAll(await fx.repo.restore(ra.manifestId))), sha256(a));
        assert.equal(sha256(await readAll(await fx.repo.restore(rb.manifestId))), sha256(b));
        const verify = await fx.repo.verify();
        assert.equal(verify.ok, true);
        assert.equal(verify.chunksChecked, sizes.reduce((s, n) => s + n, 0));
        assert.equal(verify.chunksChecked, ra.newChunks + rb.newChunks);
      } finally {
        await fx.cleanup();
      }
    });
  }

  it('gc keeps a frame whole while one of its chunks lives, and repacks it intact', async () => {
    const fx = await tempRepo(FRAMED);
    try {
      // Large enough for several packs more than the four frames at most that `b` reuses: which
      // frames share a pack depends on whether a batch was sealed on a worker or inline.
      const a = dumpText(6 * 1024 * 1024, 11);
      const ra = await fx.repo.backup(streamOf(a));
      const b = Buffer.concat([a.subarray(500_000, 520_000), a.subarray(1_500_000, 1_530_000)]);
      const rb = await fx.repo.backup(streamOf(b));
      await fx.repo.deleteManifest(ra.manifestId);
      fx.catchUp();
      const report = await fx.repo.gc({ graceMs: 0, repackDeadRatio: 0.01 });
      assert.ok(report.packsDeleted > 0, 'packs only the first backup used are gone');
      assert.ok(report.packsRepacked > 0, 'packs the second backup still uses in part are repacked');
      assert.deepEqual(report.damagedPacks, []);
      assert.equal(sha256(await readAll(await fx.repo.restore(rb.manifestId))), sha256(b));
      assert.equal((await fx.repo.verify()).ok, true);
      // Reopened from storage alone, the index agrees; rebuilt from the packs' trailers alone too.
      const reopened = await Repository.open(fx.storage, fx.master, { clock: fx.clock });
      assert.equal(sha256(await readAll(await reopened.restore(rb.manifestId))), sha256(b));
      await rm(join(fx.dir, 'index'), { recursive: true });
      const { repository, report: rebuilt } = await Repository.recover(fx.storage, fx.master, { clock: fx.clock });
      assert.equal(rebuilt.damagedPacks.length, 0);
      assert.equal(sha256(await readAll(await repository.restore(rb.manifestId))), sha256(b));
    } finally {
      await fx.cleanup();
    }
  });

  it('a format-1 repository is read as before and keeps writing one chunk per blob', async () => {
    const fx = await tempRepo({ ...FRAMED, frameBytes: 0 });
    try {
      const configPath = join(fx.dir, 'config');
      const config = JSON.parse(await readFile(configPath, 'utf8')) as Record<string, unknown>;
      delete config.frameBytes;
      config.version = 1;
      await writeFile(configPath, JSON.stringify(config));
      const repo = await Repository.open(fx.storage, fx.master, { clock: fx.clock });
      assert.equal(repo.params.frameBytes, 0);
      const data = dumpText(1024 * 1024, 3);
      const r = await repo.backup(streamOf(data));
      const sizes = await blobSizes(fx);
      assert.ok(sizes.length > 50 && sizes.every((n) => n === 1), 'one chunk per blob');
      assert.equal(sha256(await readAll(await repo.restore(r.manifestId))), sha256(data));
      assert.equal(JSON.parse(await readFile(configPath, 'utf8')).version, 1);
    } finally {
      await fx.cleanup();
    }
  });
});
