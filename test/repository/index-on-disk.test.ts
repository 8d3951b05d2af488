// A repository whose chunk index lives in run files (a recent table of 8 entries, so nearly
// every entry is read from disk): after a restart the next backup deduplicates against the runs,
// restores are exact, gc and verify agree with it, and a damaged pack is quarantined and its
// chunks stored again by the next backup.
import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { Repository } from '../../src/repository/repository.ts';
import { dumpText, readAll, SMALL, streamOf, tempRepo } from './helpers.ts';

const ON_DISK = { recentLimit: 8 };

test('a repository with its index on disk deduplicates, restores, collects and quarantines as before', async () => {
  const fx = await tempRepo({ ...SMALL, index: ON_DISK });
  try {
    const first = dumpText(3 * 1024 * 1024, 21);
    const a = await fx.repo.backup(streamOf(first), { recoveryPointId: 'rp-a' });
    // A restart: the index is loaded from the index files into runs.
    let repo = await Repository.open(fx.storage, fx.master, { clock: fx.clock, index: ON_DISK });
    assert.equal((await repo.stats()).chunks, (await fx.repo.stats()).chunks);
    const second = Buffer.concat([first.subarray(0, 2 * 1024 * 1024), dumpText(64 * 1024, 22), first.subarray(2 * 1024 * 1024)]);
    const b = await repo.backup(streamOf(second), { recoveryPointId: 'rp-b' });
    assert.ok(b.storedBytes < first.length / 5, `the second backup reused the first's chunks (${b.storedBytes} bytes stored)`);
    assert.ok((await readAll(await repo.restore(a.manifestId))).equals(first));
    assert.ok((await readAll(await repo.restore(b.manifestId))).equals(second));

    await repo.deleteManifest(a.manifestId);
    fx.catchUp();
    await repo.gc({ graceMs: 0 });
    repo = await Repository.open(fx.storage, fx.master, { clock: fx.clock, index: ON_DISK });
    assert.ok((await readAll(await repo.restore(b.manifestId))).equals(second));
    assert.equal((await repo.verify()).ok, true);

    // Damage a pack: verify quarantines it, the index forgets its chunks, the next backup stores them again.
    // (The first recovery point is stored again first, so every stored chunk is needed by a point.)
    const a2 = await repo.backup(streamOf(first), { recoveryPointId: 'rp-a2' });
    const packs: string[] = [];
    for await (const o of fx.storage.list('packs/')) packs.push(o.name);
    const target = packs.sort()[0]!;
    const body = await readFile(join(fx.dir, target));
    body[100]! ^= 0x04;
    await writeFile(join(fx.dir, target), body);
    const report = await repo.verify();
    assert.deepEqual(report.quarantined, [target]);
    const data = report.damagedChunks[0]!.manifests.includes(a2.manifestId) ? first : second;
    const c = await repo.backup(streamOf(data), { recoveryPointId: 'rp-c' });
    assert.ok(c.storedBytes > 0, 'the chunks lost with the pack are stored again');
    repo = await Repository.open(fx.storage, fx.master, { clock: fx.clock, index: ON_DISK });
    assert.ok((await readAll(await repo.restore(c.manifestId))).equals(data));
  } finally {
    await fx.cleanup();
  }
});
