// A failed backup gives its space back at once, without waiting for gc's grace period, and never
// takes a chunk that another recovery point deduplicated against while it ran.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { describe, it } from 'node:test';
import type { BackupResult } from '../../src/repository/backup.ts';
import { Repository, type RepositoryStats } from '../../src/repository/repository.ts';
import { gate, readAll, streamOf, tempRepo } from './helpers.ts';

const SMALL_PACKS = { chunker: { min: 4096, avg: 16_384, max: 65_536 }, packSize: 65_536 };

describe('a failed backup releases its packs', () => {
  it('keeps the indexed packs another backup deduplicated against, deletes the rest at once', async () => {
    const fx = await tempRepo(SMALL_PACKS);
    try {
      const x = randomBytes(4 * 1024 * 1024);
      const stop = gate();
      async function* failing(): AsyncGenerator<Buffer> {
        for (let o = 0; o < x.length; o += 65_536) yield x.subarray(o, o + 65_536);
        // More after x, so all of x is sealed, stored and indexed while this backup waits.
        for (let i = 0; i < 48; i++) yield randomBytes(65_536);
        await stop.wait;
        throw new Error('pg_dump exited with code 1');
      }
      const running = fx.repo.backup(Readable.from(failing()));
      running.catch(() => undefined);
      let b: BackupResult;
      let y: Buffer;
      let full: RepositoryStats;
      try {
        // Wait until the failing backup has listed 32 packs in index files (16 each), some
        // 3 MiB from the start of x, and the in-memory index has them.
        const indexed = async (): Promise<boolean> => {
          const s = await fx.repo.stats();
          return s.indexFiles >= 2 && s.chunks > 0;
        };
        for (let i = 0; i < 1000 && !(await indexed()); i++) await new Promise((r) => setTimeout(r, 10));
        assert.ok(await indexed(), 'the failing backup indexed the packs of x');
        // A second backup of the first 768 KiB finds those chunks indexed and reuses them.
        y = x.subarray(0, 768 * 1024);
        b = await fx.repo.backup(streamOf(y));
        assert.ok(b.newBytes < y.length / 4, `b deduplicated against the failing backup: ${b.newBytes} new bytes`);
        full = await fx.repo.stats();
      } finally {
        stop.open();
      }
      await assert.rejects(running, /pg_dump exited with code 1/);

      const after = await fx.repo.stats();
      assert.ok(full.packBytes > x.length / 2, `the failing backup had stored much of its data: ${full.packBytes}`);
      assert.ok(after.packBytes < y.length * 1.5, `only what b uses is left: ${after.packBytes} bytes of packs`);
      assert.ok(after.packBytes >= y.length, 'b\'s data is still there');
      assert.ok((await readAll(await fx.repo.restore(b.manifestId))).equals(y));
      const reopened = await Repository.open(fx.storage, fx.master, { clock: fx.clock });
      assert.ok((await readAll(await reopened.restore(b.manifestId))).equals(y), 'a fresh open finds every chunk b needs');
      assert.equal((await reopened.verify()).ok, true);
      // Later backups of the same data store what the failed one had and no longer has.
      const again = await fx.repo.backup(streamOf(x));
      assert.ok((await readAll(await fx.repo.restore(again.manifestId))).equals(x));
    } finally {
      await fx.cleanup();
    }
  });

  it('waits for a gc running on the repository, then releases', async () => {
    const fx = await tempRepo(SMALL_PACKS);
    try {
      const keep = await fx.repo.backup(streamOf(randomBytes(256 * 1024)));
      const before = await fx.repo.stats();
      async function* failing(): AsyncGenerator<Buffer> {
        for (let i = 0; i < 40; i++) yield randomBytes(65_536);
        throw new Error('connection lost');
      }
      const [gc, failed] = await Promise.allSettled([fx.repo.gc({ graceMs: 0 }), fx.repo.backup(Readable.from(failing()))]);
      assert.equal(gc.status, 'fulfilled');
      assert.equal(failed.status, 'rejected');
      const after = await fx.repo.stats();
      assert.equal(after.packBytes, before.packBytes, 'only the kept recovery point\'s packs remain');
      assert.ok((await readAll(await fx.repo.restore(keep.manifestId))).length === 256 * 1024);
    } finally {
      await fx.cleanup();
    }
  });
});
