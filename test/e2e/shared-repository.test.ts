// Two dpvault services, each with its own data directory and catalog, pointed at one storage (the
// same folder): the repository's own locks (src/repository/locks.ts) keep one's garbage
// collection from deleting a chunk the other's running backup has referenced. The collection
// fails naming the backup, the backup completes and restores, and a later collection keeps it.
import assert from 'node:assert/strict';
import { copyFileSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { it } from 'node:test';
import { pathToFileURL } from 'node:url';
import { startService } from '../../src/app.ts';
import { scratchDir } from '../support/scratch.ts';
import { dumpText, gate, readAll, streamOf } from '../repository/helpers.ts';

it("one service's maintenance never deletes what another service's running backup references", async () => {
  const shared = scratchDir('dpvault-shared-repo-');
  const storage = { location: pathToFileURL(shared).href, setting: '--storage' };
  const repositoryLocks = { waitMs: 500, retryMs: 20 };
  const dirA = scratchDir('dpvault-server-a-');
  const dirB = scratchDir('dpvault-server-b-');
  const a = await startService({ dataDir: dirA, port: 0, storage, repositoryLocks });
  copyFileSync(join(dirA, 'master.key'), join(dirB, 'master.key')); // one repository, one key
  const b = await startService({ dataDir: dirB, port: 0, storage, repositoryLocks });
  const where = { vaultKey: 'rg--vault', datastore: 'VaultStore' };
  try {
    const base = dumpText(1024 * 1024, 5);
    const first = await a.ctx.store.write({ ...where, recoveryPointId: 'rp-a' }, streamOf(base));

    // B backs up the same data and more: it deduplicates against A's chunks, then pauses.
    const g = gate();
    let reached!: () => void;
    const atGate = new Promise<void>((resolve) => (reached = resolve));
    const tail = dumpText(64 * 1024, 11);
    const paused = Readable.from((async function* () {
      for (let at = 0; at < base.length; at += 64 * 1024) yield base.subarray(at, at + 64 * 1024);
      reached();
      await g.wait;
      yield tail;
    })());
    const running = b.ctx.store.write({ ...where, recoveryPointId: 'rp-b' }, paused);
    await atGate;

    // A deletes its recovery point and collects: B's lock stops it, by name.
    await a.ctx.store.delete(first);
    await assert.rejects(a.ctx.store.maintain(where.vaultKey, { graceMs: 0 }), (e: Error & { code?: string }) => {
      assert.equal(e.code, 'RepositoryLocked');
      assert.match(e.message, /garbage collection needs an exclusive lock, but backup of recovery point rp-b \(host [^,]+, pid \d+/);
      return true;
    });
    g.open();
    const second = await running;
    const whole = Buffer.concat([base, tail]);
    assert.ok((await readAll(a.ctx.store.read(second, 'rp-b'))).equals(whole), 'A restores what B backed up');
    const report = await a.ctx.store.maintain(where.vaultKey, { graceMs: 0 });
    assert.deepEqual(report.problems, []);
    assert.ok((await readAll(b.ctx.store.read(second, 'rp-b'))).equals(whole), 'B restores it after A collected');
  } finally {
    await a.close();
    await b.close();
  }
});
