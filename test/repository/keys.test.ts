// Master key rotation: re-wrapping keeps every recovery point readable with the new key only,
// without rewriting any data.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
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
      assert.deepEqual(Object.keys(config).sort(), ['chunker', 'compressionLevel', 'format', 'frameBytes', 'id', 'packSize', 'version', 'wrappedKeys']);
      // Backups written with the new key deduplicate against the old data (same id key).
      const again = await reopened.backup(streamOf(data));
      assert.equal(again.newBytes, 0);
    } finally {
      await fx.cleanup();
    }
  });
});
