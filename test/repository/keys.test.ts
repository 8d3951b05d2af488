// Master key rotation: re-wrapping keeps every recovery point readable with the new key only,
// without rewriting any data.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { readFile, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { Repository } from '../../src/repository/repository.ts';
import { dumpText, readAll, streamOf, tempRepo } from './helpers.ts';

describe('master key rewrap', () => {
  it('opens with the new key, not the old, and the data is untouched', async () => {
    const fx = await tempRepo();
    try {
      const data = dumpText(2 * 1024 * 1024, 9);
      const r = await fx.repo.backup(streamOf(data));
      const packs: { name: string; mtime: number }[] = [];
      for await (const o of fx.storage.list('packs/')) packs.push({ name: o.name, mtime: o.modified.getTime() });
      const next = randomBytes(32);

      await assert.rejects(Repository.rewrapKeys(fx.storage, randomBytes(32), next), { code: 'RepositoryKeyMismatch' });
      await Repository.rewrapKeys(fx.storage, fx.master, next);

      await assert.rejects(Repository.open(fx.storage, fx.master, { clock: fx.clock }), { code: 'RepositoryKeyMismatch' });
      const reopened = await Repository.open(fx.storage, next, { clock: fx.clock });
      assert.ok((await readAll(await reopened.restore(r.manifestId))).equals(data));
      assert.equal(reopened.id, fx.repo.id);
      // Compare Dates with Dates: a Date from stat rounds the sub-millisecond part, Math.floor would not.
      for (const p of packs) assert.equal((await stat(join(fx.dir, p.name))).mtime.getTime(), p.mtime, `${p.name} was not rewritten`);

      const config = JSON.parse(await readFile(join(fx.dir, 'config'), 'utf8')) as Record<string, unknown>;
      assert.deepEqual(Object.keys(config).sort(), ['chunker', 'compressionLevel', 'format', 'frameBytes', 'id', 'packSize', 'paramsTag', 'version', 'wrappedKeys']);
      assert.equal(await readFile(join(fx.dir, 'config-copy'), 'utf8'), await readFile(join(fx.dir, 'config'), 'utf8'), 'both copies rewrapped');
      // Backups written with the new key deduplicate against the old data (same id key).
      const again = await reopened.backup(streamOf(data));
      assert.equal(again.newBytes, 0);
    } finally {
      await fx.cleanup();
    }
  });
});

describe('config copies', () => {
  it('a damaged or missing config is opened from its copy, named by verify and written again by repair', async () => {
    const fx = await tempRepo();
    try {
      const data = dumpText(1024 * 1024, 3);
      const r = await fx.repo.backup(streamOf(data));
      const path = join(fx.dir, 'config');
      const good = await readFile(path);
      for (const damage of [(b: Buffer) => b.subarray(0, b.length >> 1), (b: Buffer) => { const c = Buffer.from(b); c[c.indexOf('wrappedKeys') + 20]! ^= 1; return c; }, (b: Buffer) => { const c = Buffer.from(b); c[c.indexOf('"packSize"') + 12]! ^= 1; return c; }]) {
        await writeFile(path, damage(good));
        const opened = await Repository.open(fx.storage, fx.master, { clock: fx.clock });
        assert.ok((await readAll(await opened.restore(r.manifestId))).equals(data));
        const report = await opened.verify();
        assert.equal(report.ok, false);
        assert.ok(report.damagedObjects.some((d) => d.name === 'config'), JSON.stringify(report.damagedObjects));
        const repaired = await opened.repair();
        assert.deepEqual(repaired.configCopiesRewritten, ['config']);
        assert.ok((await readFile(path)).equals(good));
        assert.equal((await (await Repository.open(fx.storage, fx.master, { clock: fx.clock })).verify()).ok, true);
      }
      await rm(path);
      await rm(join(fx.dir, 'config-copy'));
      await assert.rejects(Repository.open(fx.storage, fx.master, { clock: fx.clock }), { code: 'RepositoryNotFound' });
    } finally {
      await fx.cleanup();
    }
  });
});
