// A gc killed without warning (SIGKILL of the process running it) at any point of its effects
// (a repack's first new pack, the k-th new index file, the first old index file deleted, the
// first pack deleted) leaves a repository where every recovery point restores byte for byte; the
// next gc finishes the job and leaves nothing behind. The template holds well over 2 x 2^15 chunks
// so the new index is several files. A sample of kill points runs in `npm test`;
// DPVAULT_FULL_SWEEPS=1 runs them all. Also: the files gc writes are bounded, a gc with nothing to
// do leaves them alone, and one big index file is split at the next gc.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { cp, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { FsStorage } from '../../src/storage/fs.ts';
import { forEachIndexFile, listIndexIds, writeIndexFile } from '../../src/repository/chunk-index.ts';
import { openConfig } from '../../src/repository/config-copies.ts';
import { INDEX_FILE_ENTRIES } from '../../src/repository/index-files.ts';
import { INDEX_PREFIX, indexName, PACK_PREFIX, packIdOf } from '../../src/repository/layout.ts';
import type { PackRecord } from '../../src/repository/pack.ts';
import type { GcReport } from '../../src/repository/gc.ts';
import { Repository } from '../../src/repository/repository.ts';
import { readAll, streamOf, tempRepo } from './helpers.ts';
import { killedRun, names } from './killed-run.ts';
import type { RepoFixture } from './helpers.ts';

const FULL = process.env.DPVAULT_FULL_SWEEPS === '1';
/** ~512-byte chunks in 1 MiB packs: tens of MiB make well over 2 x 2^15 chunks. */
const TINY = { chunker: { min: 128, avg: 512, max: 2048 }, packSize: 1024 * 1024, frameBytes: 0, compressionLevel: 0 };
const PIECE = 32 * 1024;

/** The effects of a gc, in the order they must happen. */
type Phase = 'repack' | 'new index' | 'old index gone' | 'packs gone';
interface KillPoint {
  label: string;
  phase: Phase;
  dir: 'index' | 'packs';
  /** Kill once this many names appeared in `dir` (added) or went from it (removed); 'all': every new index file. */
  change: 'added' | 'removed';
  count: number | 'all';
}
const ALL: KillPoint[] = [
  { label: "a repack's first new pack", phase: 'repack', dir: 'packs', change: 'added', count: 1 },
  { label: 'the first new index file', phase: 'new index', dir: 'index', change: 'added', count: 1 },
  { label: 'the second new index file', phase: 'new index', dir: 'index', change: 'added', count: 2 },
  { label: 'the last new index file', phase: 'new index', dir: 'index', change: 'added', count: 'all' },
  { label: 'the first old index file deleted', phase: 'old index gone', dir: 'index', change: 'removed', count: 1 },
  { label: 'the first pack deleted', phase: 'packs gone', dir: 'packs', change: 'removed', count: 1 },
];
const POINTS = FULL ? ALL : [ALL[1]!, ALL[4]!];

interface Seen {
  index: Set<string>;
  packs: Set<string>;
}
const see = async (dir: string): Promise<Seen> => ({ index: await names(join(dir, 'index')), packs: await names(join(dir, 'packs')) });

/**
 * The order of effects, checked on what the killed gc left: nothing is deleted before every new
 * index file is written, no pack before every old index file is gone, and (repack) nothing of the
 * index changes before the new packs are written.
 */
function assertOrder(point: KillPoint, newFiles: number, before: Seen, now: Seen): void {
  const added = [...now.index].filter((n) => !before.index.has(n)).length;
  const removed = [...before.index].filter((n) => !now.index.has(n)).length;
  const packsGone = [...before.packs].filter((n) => !now.packs.has(n)).length;
  const state = JSON.stringify({ phase: point.phase, newFiles, oldFiles: before.index.size, added, removed, packsGone });
  if (point.phase === 'repack') assert.ok(added === 0 && removed === 0 && packsGone === 0, state);
  if (point.phase === 'new index') assert.ok(removed === 0 && packsGone === 0, state);
  if (point.phase === 'old index gone') assert.ok(added === newFiles && packsGone === 0, state);
  if (point.phase === 'packs gone') assert.ok(added === newFiles && removed === before.index.size, state);
}

/** Runs gc on the repository in `dir` in another process, killed right after its `count`-th change as `point` says. */
async function killedGc(dir: string, master: Buffer, point: KillPoint, count: number): Promise<void> {
  const prefix = point.dir === 'index' ? INDEX_PREFIX : PACK_PREFIX;
  await killedRun(dir, master, 'repo.gc({ graceMs: 0 })', { op: point.change === 'added' ? 'put' : 'delete', prefix, count });
}

async function restoresAll(repo: Repository, ids: readonly string[], streams: readonly Buffer[], when: string): Promise<void> {
  for (const [i, id] of ids.entries()) assert.ok((await readAll(await repo.restore(id))).equals(streams[i]!), `point ${i} restores ${when}`);
}

/** Nothing is left behind: bounded index files listing every stored pack once and no other, stats agreeing. */
async function assertClean(storage: FsStorage, dataKey: Buffer, repo: Repository): Promise<void> {
  const indexed = new Set<string>();
  const chunks = new Set<string>();
  const { indexIds, damaged } = await forEachIndexFile(storage, dataKey, (rs, id) => {
    let entries = 0;
    for (const r of rs) {
      assert.ok(!indexed.has(r.packId), `pack ${r.packId} is listed once (again in ${id})`);
      indexed.add(r.packId);
      entries += r.entries.length;
      for (const e of r.entries) chunks.add(e.id);
    }
    assert.ok(entries <= INDEX_FILE_ENTRIES, `index file ${id} holds ${entries} entries`);
  });
  assert.deepEqual(damaged, []);
  const storedIds: string[] = [];
  for await (const o of storage.list(PACK_PREFIX)) storedIds.push(packIdOf(o.name)!);
  storedIds.sort();
  assert.deepEqual([...indexed].sort(), storedIds, 'the index lists exactly the stored packs');
  const stats = await repo.stats();
  assert.equal(stats.packs, indexed.size);
  assert.equal(stats.indexFiles, indexIds.length);
  assert.equal(stats.chunks, chunks.size);
}

/**
 * The template's recovery points, from pieces of 32 KiB of random data: a; b, which replaces a's
 * first 12 MiB (a's packs there die whole: a backup seals MiB batches on several threads, so its
 * packs mix neighbouring MiBs) and three pieces of every four of the next 4 MiB (a's packs there
 * are about a quarter live: repacked); c, 1 MiB of b and 1 MiB more. a is deleted.
 */
function series(): { kept: Buffer[]; deleted: Buffer } {
  const n = 1280; // 40 MiB: ~80,000 chunks live after a is deleted
  const pieces = Array.from({ length: n }, () => randomBytes(PIECE));
  const a = Buffer.concat(pieces);
  const bPieces = pieces.map((p, i) => (i < 384 || (i < 512 && i % 4 !== 0) ? randomBytes(PIECE) : p));
  const b = Buffer.concat(bPieces);
  const c = Buffer.concat([...bPieces.slice(600, 632), randomBytes(32 * PIECE)]);
  return { kept: [b, c], deleted: a };
}

async function backUp(fx: RepoFixture, data: Buffer): Promise<string> {
  return (await fx.repo.backup(streamOf(data, 256 * 1024))).manifestId;
}

/** A copy of the template's directory, removed after `body`. */
async function withCopy(template: RepoFixture, body: (dir: string) => Promise<void>): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'dpv-gc-kill-'));
  try {
    await cp(template.dir, dir, { recursive: true });
    await body(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** Two days on: every file in the copy is past any grace period. */
const later = (): { now: () => Date } => ({ now: () => new Date(Date.now() + 48 * 3600_000) });

describe('gc killed midway through its index rewrite', () => {
  let template: RepoFixture;
  let dataKey: Buffer;
  let streams: Buffer[];
  let ids: string[];
  /** The uninterrupted gc's report and the index files it wrote (on a copy kept to the end). */
  let reference: { dir: string; report: GcReport; files: number };
  before(async () => {
    template = await tempRepo(TINY);
    dataKey = (await openConfig(template.storage, template.master)).keys.dataKey;
    const { kept, deleted } = series();
    const gone = await backUp(template, deleted);
    streams = kept;
    ids = [];
    for (const s of kept) ids.push(await backUp(template, s));
    await template.repo.deleteManifest(gone);
    const dir = await mkdtemp(join(tmpdir(), 'dpv-gc-reference-'));
    await cp(template.dir, dir, { recursive: true });
    const report = await (await Repository.open(new FsStorage(dir), template.master, { clock: later() })).gc({ graceMs: 0 });
    reference = { dir, report, files: (await listIndexIds(new FsStorage(dir))).length };
  });
  after(async () => {
    await template.cleanup();
    if (reference) await rm(reference.dir, { recursive: true, force: true });
  });

  it('uninterrupted, deletes packs, repacks others and writes several bounded index files', async () => {
    const { report, files, dir } = reference;
    assert.ok(report.packsDeleted > 0 && report.packsRepacked > 0 && report.indexFilesReplaced > 1, JSON.stringify(report));
    assert.ok(files >= 3, `the new index is ${files} files, at least three`);
    const storage = new FsStorage(dir);
    const repo = await Repository.open(storage, template.master, { clock: later() });
    await restoresAll(repo, ids, streams, 'after gc');
    await assertClean(storage, dataKey, repo);
  });

  for (const point of POINTS) {
    it(`after ${point.label}: every point restores, and the next gc finishes and leaves nothing behind`, async () => {
      await withCopy(template, async (dir) => {
        const seen = await see(dir);
        await killedGc(dir, template.master, point, point.count === 'all' ? reference.files : point.count);
        assertOrder(point, reference.files, seen, await see(dir));
        const storage = new FsStorage(dir);
        const repo = await Repository.open(storage, template.master, { clock: later() });
        await restoresAll(repo, ids, streams, 'after the kill');

        const gc = await repo.gc({ graceMs: 0 });
        assert.equal(gc.liveChunksMissing, 0);
        assert.deepEqual(gc.missingPacks, []);
        await restoresAll(repo, ids, streams, 'after the next gc');
        const verify = await repo.verify();
        assert.equal(verify.ok, true, JSON.stringify(verify).slice(0, 2000));
        const reopened = await Repository.open(storage, template.master, { clock: later() });
        await assertClean(storage, dataKey, reopened);
      });
    });
  }
});

describe('gc writes bounded index files', () => {
  it('of at most INDEX_FILE_ENTRIES entries, leaves them alone with nothing to do, and splits a file too big', async () => {
    const fx = await tempRepo(TINY);
    try {
      const dataKey = (await openConfig(fx.storage, fx.master)).keys.dataKey;
      const gone = await backUp(fx, randomBytes(8 * 1024 * 1024));
      const data = randomBytes(24 * 1024 * 1024); // ~43,000 chunks: two files
      const id = await backUp(fx, data);
      await fx.repo.deleteManifest(gone);
      fx.catchUp();
      // The packs only `gone` used go: the index is rewritten, in files of bounded size.
      const first = await fx.repo.gc({ graceMs: 0 });
      assert.ok(first.packsDeleted > 0 && first.indexFilesReplaced > 0, JSON.stringify(first));
      const sizes = async (): Promise<Map<string, number>> => {
        const out = new Map<string, number>();
        await forEachIndexFile(fx.storage, dataKey, (rs, file) => {
          let n = 0;
          for (const r of rs) n += r.entries.length;
          out.set(file, n);
        });
        return out;
      };
      const split = await sizes();
      assert.ok(split.size >= 2, `split into ${split.size} files`);
      for (const [file, n] of split) assert.ok(n <= INDEX_FILE_ENTRIES, `${file}: ${n} entries`);

      const again = await fx.repo.gc({ graceMs: 0 });
      assert.equal(again.indexFilesReplaced, 0);
      assert.deepEqual(await sizes(), split, 'a gc with nothing to do leaves the files as they were');

      /** Replaces the index files with files of these records; then a gc with nothing to free. */
      const rewriteAndGc = async (files: PackRecord[][]): Promise<{ report: GcReport; repo: Repository }> => {
        const current = await listIndexIds(fx.storage);
        const written = new Set<string>();
        for (const records of files) written.add(await writeIndexFile(fx.storage, dataKey, records));
        for (const file of current) if (!written.has(file)) await fx.storage.delete(indexName(file));
        const repo = await Repository.open(fx.storage, fx.master, { clock: fx.clock });
        return { report: await repo.gc({ graceMs: 0 }), repo };
      };
      const records: PackRecord[] = [];
      await forEachIndexFile(fx.storage, dataKey, (rs) => void records.push(...rs));

      // One file for everything (as a repository from before bounded files has): split.
      const third = await rewriteAndGc([records]);
      assert.equal(third.report.indexFilesReplaced, 1, JSON.stringify(third.report));
      const resplit = await sizes();
      assert.ok(resplit.size >= 2, `split into ${resplit.size} files`);
      for (const [file, n] of resplit) assert.ok(n <= INDEX_FILE_ENTRIES, `${file}: ${n} entries`);

      // A file too big beside a small one, as many files as the records fill: split as well.
      let cut = 0;
      for (let n = 0; n <= INDEX_FILE_ENTRIES + 2048; cut++) n += records[cut]!.entries.length;
      assert.ok(cut < records.length);
      const fourth = await rewriteAndGc([records.slice(0, cut), records.slice(cut)]);
      assert.equal(fourth.report.indexFilesReplaced, 2, JSON.stringify(fourth.report));
      for (const [file, n] of await sizes()) assert.ok(n <= INDEX_FILE_ENTRIES, `${file}: ${n} entries`);
      assert.ok((await readAll(await fourth.repo.restore(id))).equals(data));
      await assertClean(fx.storage, dataKey, fourth.repo);
    } finally {
      await fx.cleanup();
    }
  });
});
