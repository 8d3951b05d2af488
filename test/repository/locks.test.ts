// Locks in the repository between processes (src/repository/locks.ts): each open Repository is an
// owner of its own, as a second process would be. Garbage collection never runs beside another
// owner's backup (it waits, then fails naming it), a backup never beside another owner's
// exclusive lock, stale locks are ignored and removed, and a held lock is refreshed.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Repository } from '../../src/repository/repository.ts';
import { isStale, RepositoryLocks, type LockRecord } from '../../src/repository/locks.ts';
import { listAll } from '../../src/repository/io.ts';
import { dumpText, gate, readAll, streamOf, tempRepo } from './helpers.ts';

const FAST = { waitMs: 300, retryMs: 20 };

/** A source that yields `first`, waits for `g`, then yields `rest`. */
async function* gated(first: Buffer, g: Promise<void>, rest: Buffer, reached: () => void): AsyncGenerator<Buffer> {
  for (let at = 0; at < first.length; at += 64 * 1024) yield first.subarray(at, at + 64 * 1024);
  reached();
  await g;
  yield rest;
}

async function lockRecords(fx: { storage: import('../../src/storage/fs.ts').FsStorage }): Promise<LockRecord[]> {
  const out: LockRecord[] = [];
  for (const info of await listAll(fx.storage, 'lock-')) out.push(JSON.parse((await fx.storage.get(info.name)).toString()) as LockRecord);
  return out;
}

describe('repository locks between two owners of one repository', () => {
  it("gc fails naming the other owner's running backup, and never deletes a chunk that backup referenced", async () => {
    const fx = await tempRepo();
    try {
      const base = dumpText(1024 * 1024, 3);
      const rp1 = await fx.repo.backup(streamOf(base), { recoveryPointId: 'rp-1' });
      // The second "process": its own Repository on the same storage, which deduplicates against rp-1.
      const other = await Repository.open(fx.storage, fx.master, { clock: fx.clock, locks: FAST });
      const g = gate();
      let reached!: () => void;
      const atGate = new Promise<void>((resolve) => (reached = resolve));
      const tail = dumpText(64 * 1024, 9);
      const running = other.backup(gated(base, g.wait, tail, reached), { recoveryPointId: 'rp-2' });
      await atGate;
      const here = await Repository.open(fx.storage, fx.master, { clock: fx.clock, locks: FAST });
      await here.deleteManifest(rp1.manifestId);
      fx.catchUp();
      await assert.rejects(here.gc({ graceMs: 0 }), (e: Error & { code?: string }) => {
        assert.equal(e.code, 'RepositoryLocked');
        assert.match(e.message, /garbage collection needs an exclusive lock, but backup of recovery point rp-2 \(host [^,]+, pid \d+, since .*\) still held it after [\d.]+ s of waiting/);
        return true;
      });
      g.open();
      const rp2 = await running;
      assert.ok((await readAll(await here.restore(rp2.manifestId))).equals(Buffer.concat([base, tail])), 'the backup is whole');
      fx.catchUp();
      const report = await here.gc({ graceMs: 0 });
      assert.equal(report.liveChunksMissing, 0);
      await other.refresh();
      assert.ok((await readAll(await other.restore(rp2.manifestId))).equals(Buffer.concat([base, tail])), 'whole after gc, from the other owner');
      assert.deepEqual(await lockRecords(fx), [], 'every lock is released');
    } finally {
      await fx.cleanup();
    }
  });

  it('a backup waits for an exclusive lock, then fails naming it; once released it runs', async () => {
    const fx = await tempRepo();
    try {
      const gc = await new RepositoryLocks(fx.storage, fx.clock).acquire('exclusive', 'garbage collection');
      const repo = await Repository.open(fx.storage, fx.master, { clock: fx.clock, locks: FAST });
      await assert.rejects(repo.backup(streamOf(dumpText(4096)), { recoveryPointId: 'rp-x' }), /backup of recovery point rp-x needs a shared lock, but garbage collection \(host .*pid \d+.*\) still held it/);
      assert.equal((await repo.listManifests()).length, 0);
      await gc.release();
      await repo.backup(streamOf(dumpText(4096)), { recoveryPointId: 'rp-x' });
      assert.equal((await repo.listManifests()).length, 1);
    } finally {
      await fx.cleanup();
    }
  });

  it('gc waits for a backup that ends within its wait', async () => {
    const fx = await tempRepo();
    try {
      const backup = await new RepositoryLocks(fx.storage, fx.clock).acquire('shared', 'backup');
      const repo = await Repository.open(fx.storage, fx.master, { clock: fx.clock, locks: { waitMs: 30_000, retryMs: 20 } });
      const collecting = repo.gc({ graceMs: 0 });
      setTimeout(() => void backup.release(), 100);
      await collecting;
    } finally {
      await fx.cleanup();
    }
  });

  it('shared locks of two owners go together', async () => {
    const fx = await tempRepo();
    try {
      const restore = await new RepositoryLocks(fx.storage, fx.clock).acquire('shared', 'restore');
      const repo = await Repository.open(fx.storage, fx.master, { clock: fx.clock, locks: { waitMs: 0 } });
      await repo.backup(streamOf(dumpText(4096)));
      await restore.release();
    } finally {
      await fx.cleanup();
    }
  });

  it('a stale lock (its holder died) is ignored and removed; a held one is refreshed', async () => {
    const fx = await tempRepo();
    try {
      const dead = await new RepositoryLocks(fx.storage, fx.clock, { expiryMs: 60_000 }).acquire('shared', 'backup of a dead server');
      const held = await new RepositoryLocks(fx.storage, fx.clock, { expiryMs: 60_000 }).acquire('shared', 'restore');
      fx.clock.advance(45_000);
      await held.refresh();
      fx.clock.advance(30_000); // the dead one expired 15 s ago; the refreshed one has 30 s left
      const repo = await Repository.open(fx.storage, fx.master, { clock: fx.clock, locks: { waitMs: 0 } });
      await assert.rejects(repo.gc({ graceMs: 0 }), /but restore \(host/);
      assert.deepEqual((await lockRecords(fx)).map((r) => r.holder), ['restore'], 'the stale lock was removed');
      await held.release();
      await repo.gc({ graceMs: 0 });
      void dead;
    } finally {
      await fx.cleanup();
    }
  });

  it('a lock of a process gone from this host is stale before it expires; one of another host is not', () => {
    const now = new Date('2026-01-01T00:00:00Z');
    const lock: LockRecord = { kind: 'shared', owner: 'o', holder: 'backup', host: 'here', pid: 4242, time: now.toISOString(), refreshed: now.toISOString(), expires: '2026-01-01T00:30:00Z' };
    assert.equal(isStale(lock, now, 'here', () => true), false);
    assert.equal(isStale(lock, now, 'here', () => false), true);
    assert.equal(isStale(lock, now, 'elsewhere', () => false), false);
    assert.equal(isStale(lock, new Date('2026-01-01T00:30:00Z'), 'elsewhere', () => true), true);
  });

  it("rebuilding the index (vault recover) waits for another owner's backup, then fails naming it", async () => {
    const fx = await tempRepo();
    try {
      await fx.repo.backup(streamOf(dumpText(4096)), { recoveryPointId: 'rp-1' });
      const backup = await new RepositoryLocks(fx.storage, fx.clock).acquire('shared', 'backup of recovery point rp-2');
      await assert.rejects(Repository.recover(fx.storage, fx.master, { clock: fx.clock, locks: FAST }), /index rebuild \(vault recover\) needs an exclusive lock, but backup of recovery point rp-2/);
      await backup.release();
      const { repository } = await Repository.recover(fx.storage, fx.master, { clock: fx.clock, locks: FAST });
      assert.equal((await repository.listManifests()).length, 1);
    } finally {
      await fx.cleanup();
    }
  });
});
