// A locality repack killed without warning (SIGKILL of the process running it) after its k-th new
// pack, or at the first change to the index files, leaves a repository where every recovery point
// restores byte for byte; the next repack finishes the job and gc then leaves it clean. A sample
// of kill points runs in `npm test`; DPVAULT_FULL_SWEEPS=1 runs them all.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { cp, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { FsStorage } from '../../src/storage/fs.ts';
import { Repository } from '../../src/repository/repository.ts';
import { readAll, tempRepo } from './helpers.ts';
import type { RepoFixture } from './helpers.ts';
import { killedRun } from './killed-run.ts';
import { INDEX_PREFIX, PACK_PREFIX } from '../../src/repository/layout.ts';
import { backupSeries, seriesBase, weeklyStreams } from './locality-series.ts';

const FULL = process.env.DPVAULT_FULL_SWEEPS === '1';
// An uninterrupted run writes about 8 packs here (chunk boundaries follow each repository's key),
// so the last kill point leaves room for two more before the index files change.
type KillPoint = number | 'index';
const POINTS: KillPoint[] = FULL ? [1, 2, 3, 4, 5, 6, 'index'] : [1, 4, 'index'];

/** Runs a locality repack of the repository in `dir` in another process, killed right after the `point`-th new pack or its first new index file. */
async function killedRepack(dir: string, master: Buffer, point: KillPoint): Promise<void> {
  // New index files are written before any old one is deleted: the first put is the first change.
  const at = point === 'index' ? { op: 'put' as const, prefix: INDEX_PREFIX, count: 1 } : { op: 'put' as const, prefix: PACK_PREFIX, count: point };
  await killedRun(dir, master, 'repo.repackForLocality({ maxBytes: 64 * 1024 * 1024 })', at);
}

describe('locality repack killed midway', () => {
  let template: RepoFixture;
  let streams: Buffer[];
  let ids: string[];
  before(async () => {
    template = await tempRepo();
    streams = weeklyStreams(seriesBase(8 * 1024 * 1024), 6, 10);
    ids = await backupSeries(template, streams);
  });
  after(() => template.cleanup());

  for (const point of POINTS) {
    it(`after ${point === 'index' ? 'its first change to the index files' : `new pack ${point}`}: every point restores, and the next run finishes`, async () => {
      const dir = await mkdtemp(join(tmpdir(), 'dpv-locality-kill-'));
      try {
        await cp(template.dir, dir, { recursive: true });
        await killedRepack(dir, template.master, point);
        const clock = { now: () => new Date() };
        const storage = new FsStorage(dir);
        const repo = await Repository.open(storage, template.master, { clock });
        for (const [i, id] of ids.entries()) assert.ok((await readAll(await repo.restore(id))).equals(streams[i]!), `week ${i} restores after the kill`);

        const next = await repo.repackForLocality({ maxBytes: 64 * 1024 * 1024 });
        const s = next.streams[0]!;
        assert.ok(s.after.runs <= 2 * Math.ceil(s.after.rawBytes / (512 * 1024)), `the newest point reads in few runs: ${JSON.stringify(s)}`);
        // Packs the killed run left unindexed, and the old copies, go at gc.
        const later = { now: () => new Date(Date.now() + 48 * 3600_000) };
        const fresh = await Repository.open(storage, template.master, { clock: later });
        const gc = await fresh.gc({ graceMs: 0 });
        assert.equal(gc.liveChunksMissing, 0);
        const verify = await fresh.verify();
        assert.equal(verify.ok, true, JSON.stringify(verify));
        for (const [i, id] of ids.entries()) assert.ok((await readAll(await fresh.restore(id))).equals(streams[i]!), `week ${i} restores after the next run and gc`);
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    });
  }
});
