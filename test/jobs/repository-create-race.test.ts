// Two processes on one PostgreSQL catalog and one storage making the same vault's repository at
// once (the first backups of a new vault, claimed by two workers): the repository is made once,
// so what each wrote reads back, from either and from a third process. Without one creation at a
// time (services/create-once.ts) each wrote a config with keys of its own, and what was written
// under the keys whose config lost could never be read ("manifest is damaged").
import { it } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { pathToFileURL } from 'node:url';
import { openContext } from '../../src/app.ts';
import { catalogProcesses } from '../support/catalog-processes.ts';
import { dumpText, readAll, streamOf } from '../repository/helpers.ts';

const { freshDatabase, dataDirWithKey, scratch } = catalogProcesses('createrace');

it('makes a vault\'s repository once when two processes write its first data at the same time', async () => {
  const key = randomBytes(32).toString('hex');
  const { url } = await freshDatabase();
  const storage = { location: pathToFileURL(scratch('dpvault-createrace-')).href, setting: '--storage' };
  const open = () => openContext({ dataDir: dataDirWithKey(key), database: url, storage, sharedFilesystem: true });
  const [a, b] = [await open(), await open()];
  const where = { vaultKey: 'rg--vault', datastore: 'VaultStore' };
  try {
    const data = [dumpText(256 * 1024, 1), dumpText(256 * 1024, 2)];
    const stored = await Promise.all([a, b].map((ctx, i) => ctx.store.write({ ...where, recoveryPointId: `rp-${i}` }, streamOf(data[i]!))));
    const c = await open();
    try {
      for (const [i, ctx] of [a, b, c].entries()) {
        for (const [j, s] of stored.entries()) {
          assert.ok((await readAll(ctx.store.read(s, `rp-${j}`))).equals(data[j]!), `process ${i} reads what process ${j} wrote`);
        }
      }
    } finally {
      await c.catalog.close();
    }
  } finally {
    await a.catalog.close();
    await b.catalog.close();
  }
});
