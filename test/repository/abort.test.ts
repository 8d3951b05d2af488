// A backup that fails or is killed midway leaves no manifest, other recovery points restore, and
// later backups work. One that fails gives its packs back at once; one killed leaves garbage that
// gc clears.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { describe, it } from 'node:test';
import { Repository } from '../../src/repository/repository.ts';
import { FaultPlan } from '../../src/storage/faults.ts';
import { FsStorage } from '../../src/storage/fs.ts';
import { stack } from '../../src/storage/stack.ts';
import { readAll, streamOf, tempRepo } from './helpers.ts';
import type { RepoFixture } from './helpers.ts';

async function names(fx: RepoFixture, prefix: string): Promise<string[]> {
  const out: string[] = [];
  for await (const o of fx.storage.list(prefix)) out.push(o.name);
  return out.sort();
}

/** What storage holds of packs, index files and chunk lists. */
async function snapshot(fx: RepoFixture): Promise<{ packs: string[]; index: string[]; chunklists: string[] }> {
  return { packs: await names(fx, 'packs/'), index: await names(fx, 'index/'), chunklists: await names(fx, 'chunklists/') };
}

/** Restores every listed manifest, runs gc and verify, and checks the kept data. */
async function assertHealthy(fx: RepoFixture, repo: Repository, keep: { manifestId: string; data: Buffer }, leftovers = true): Promise<void> {
  const manifests = await repo.listManifests();
  assert.deepEqual(manifests.map((m) => m.id), [keep.manifestId], 'only the finished backup has a manifest');
  assert.ok((await readAll(await repo.restore(keep.manifestId))).equals(keep.data));
  fx.catchUp();
  const report = await repo.gc({ graceMs: 0 });
  assert.equal(report.liveChunksMissing, 0);
  if (leftovers) assert.ok(report.packsDeleted + report.orphanPacksDeleted > 0, `gc cleared the leftovers: ${JSON.stringify(report)}`);
  else assert.equal(report.packsDeleted + report.orphanPacksDeleted, 0, `nothing was left for gc: ${JSON.stringify(report)}`);
  assert.ok((await readAll(await repo.restore(keep.manifestId))).equals(keep.data));
  const verify = await repo.verify();
  assert.equal(verify.ok, true);
  assert.deepEqual(await names(fx, 'chunklists/'), (await names(fx, `chunklists/${keep.manifestId}/`)), 'no orphan chunk lists');
  const next = randomBytes(300_000);
  const r = await repo.backup(streamOf(next));
  assert.ok((await readAll(await repo.restore(r.manifestId))).equals(next));
}

describe('an aborted backup', () => {
  it('rejects with the source error, writes no manifest, and gives back the packs it stored at once', async () => {
    const fx = await tempRepo();
    try {
      const keepData = randomBytes(1024 * 1024);
      const keep = await fx.repo.backup(streamOf(keepData));
      const before = await snapshot(fx);
      const packsBefore = before.packs.length;
      // Like a child process's stdout: data arrives, then the stream is destroyed with an error.
      const input = new Readable({ read: () => undefined });
      const running = fx.repo.backup(input);
      for (let i = 0; i < 40; i++) input.push(randomBytes(65_536));
      for (let i = 0; i < 100 && (await names(fx, 'packs/')).length <= packsBefore; i++) await new Promise((r) => setTimeout(r, 10));
      assert.ok((await names(fx, 'packs/')).length > packsBefore, 'the backup has uploaded packs');
      input.destroy(new Error('pg_dump exited with code 1'));
      await assert.rejects(running, /pg_dump exited with code 1/);
      assert.deepEqual(await snapshot(fx), before, 'its packs and chunk-list parts are gone, with no gc');
      await assertHealthy(fx, fx.repo, { manifestId: keep.manifestId, data: keepData }, false);
    } finally {
      await fx.cleanup();
    }
  });

  it('an index file that cannot be written midway fails the backup with that error; its packs, indexed or not, are given back', async () => {
    // Index files are written in the background every 16 packs; the second one fails here.
    const fx = await tempRepo({ chunker: { min: 4096, avg: 16_384, max: 65_536 }, packSize: 65_536 });
    try {
      const keepData = randomBytes(1024 * 1024);
      const keep = await fx.repo.backup(streamOf(keepData));
      const before = await snapshot(fx);
      const faults = new FaultPlan([{ ops: ['put'], names: /^index\//, effect: 'fail', skip: 1, times: 1 }]);
      const repo = await Repository.open(stack(new FsStorage(fx.dir), { faults, retry: false }), fx.master, { clock: fx.clock });
      await assert.rejects(repo.backup(streamOf(randomBytes(6 * 1024 * 1024))), /Storage put of 'index\/.*' failed: injected failure/);
      assert.equal(faults.hits.length, 1, 'the first index file was written, the second failed');
      assert.deepEqual(await snapshot(fx), before, 'the packs of both index files, the index file written and the chunk lists are gone');
      await assertHealthy(fx, await Repository.open(fx.storage, fx.master, { clock: fx.clock }), { manifestId: keep.manifestId, data: keepData }, false);
    } finally {
      await fx.cleanup();
    }
  });

  it('killed with SIGKILL after writing packs and index files, leaves storage gc and restore handle', async () => {
    const fx = await tempRepo({ chunker: { min: 4096, avg: 16_384, max: 65_536 }, packSize: 65_536 });
    try {
      const keepData = randomBytes(512 * 1024);
      const keep = await fx.repo.backup(streamOf(keepData));
      const moduleUrl = new URL('../../src/repository/repository.ts', import.meta.url).href;
      const fsUrl = new URL('../../src/storage/fs.ts', import.meta.url).href;
      const script = `
        import { randomBytes } from 'node:crypto';
        import { Readable } from 'node:stream';
        import { Repository } from ${JSON.stringify(moduleUrl)};
        import { FsStorage } from ${JSON.stringify(fsUrl)};
        const repo = await Repository.open(new FsStorage(${JSON.stringify(fx.dir)}), Buffer.from(process.env.KEY, 'hex'), { clock: { now: () => new Date() } });
        async function* forever() { for (;;) { yield randomBytes(65536); await new Promise((r) => setImmediate(r)); } }
        await repo.backup(Readable.from(forever()));`;
      const child = spawn(process.execPath, ['--input-type=module', '-e', script], {
        stdio: ['ignore', 'ignore', 'pipe'],
        env: { ...process.env, KEY: fx.master.toString('hex') },
      });
      let stderr = '';
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      const exited = new Promise((r) => child.once('exit', r));
      // Wait for the child to have written an index file of its own, then kill it without warning.
      const indexDir = join(fx.dir, 'index');
      const initial = (await readdir(indexDir)).length;
      for (let i = 0; i < 1000 && (await readdir(indexDir)).length <= initial; i++) {
        if (child.exitCode !== null) assert.fail(`the child exited early: ${stderr}`);
        await new Promise((r) => setTimeout(r, 20));
      }
      child.kill('SIGKILL');
      await exited;
      assert.ok((await readdir(indexDir)).length > initial, 'the killed backup had written an index file');
      const repo = await Repository.open(fx.storage, fx.master, { clock: fx.clock });
      await assertHealthy(fx, repo, { manifestId: keep.manifestId, data: keepData });
    } finally {
      await fx.cleanup();
    }
  });
});

