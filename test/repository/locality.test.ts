// The locality repack on a real repository: after weeks of scattered edits the newest point reads
// in fewer runs, every recovery point still restores byte for byte (before and after gc, and from
// storage alone), the budget bounds what a run writes and the next run goes on, a quarantined
// pack is never copied, and a backup running beside it restores whole.
import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { openConfig } from '../../src/repository/config-copies.ts';
import { packIdOf } from '../../src/repository/layout.ts';
import { blobsOf, readTrailer } from '../../src/repository/pack.ts';
import type { PackEntry } from '../../src/repository/pack.ts';
import { Repository } from '../../src/repository/repository.ts';
import { gate, readAll, tempRepo } from './helpers.ts';
import type { RepoFixture } from './helpers.ts';
import { backupSeries, seriesBase, weeklyStreams } from './locality-series.ts';

const MiB = 1024 * 1024;

async function packs(fx: RepoFixture): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  for await (const o of fx.storage.list('packs/')) out.set(packIdOf(o.name)!, o.size);
  return out;
}

async function trailer(fx: RepoFixture, packId: string, size: number): Promise<PackEntry[]> {
  const keys = (await openConfig(fx.storage, fx.master)).keys;
  return readTrailer(fx.storage, keys.dataKey, packId, size);
}

/** Every point restores byte for byte, from this repository and from storage alone. */
async function assertAllRestore(fx: RepoFixture, ids: readonly string[], streams: readonly Buffer[]): Promise<void> {
  const reopened = await Repository.open(fx.storage, fx.master, { clock: fx.clock });
  for (const repo of [fx.repo, reopened]) {
    for (const [i, id] of ids.entries()) assert.ok((await readAll(await repo.restore(id))).equals(streams[i]!), `week ${i} restores byte for byte`);
  }
}

async function series(weeks = 6): Promise<{ fx: RepoFixture; streams: Buffer[]; ids: string[] }> {
  const fx = await tempRepo();
  const streams = weeklyStreams(seriesBase(8 * MiB), weeks, 10);
  const ids = await backupSeries(fx, streams);
  return { fx, streams, ids };
}

describe('locality repack', () => {
  it('makes the newest point read in fewer runs and keeps every point byte-exact, through gc', async () => {
    const { fx, streams, ids } = await series();
    try {
      const report = await fx.repo.repackForLocality({ maxBytes: 64 * MiB });
      const s = report.streams[0]!;
      assert.equal(s.manifestId, ids.at(-1));
      assert.ok(report.bytesWritten > 0 && report.packsWritten > 0, JSON.stringify(report));
      assert.ok(s.after.runs < s.before.runs / 2, `runs ${s.before.runs} → ${s.after.runs}`);
      assert.ok(s.after.packs <= s.before.packs, `packs ${s.before.packs} → ${s.after.packs}`);
      assert.equal((await fx.repo.stats()).indexFiles, 1, 'one consolidated index file replaces the others');
      await assertAllRestore(fx, ids, streams);
      // Nothing left to do: a second run finds the newest point contiguous. (Checked before gc:
      // gc's own repack may copy a pack holding some of the newest point's chunks into a new
      // pack, which packs sealed on several threads make depend on timing.)
      const again = await fx.repo.repackForLocality({ maxBytes: 64 * MiB });
      assert.equal(again.bytesWritten, 0, JSON.stringify(again.streams));

      // The old copies are dead now: gc collects them and the points still restore.
      const before = await fx.repo.stats();
      fx.catchUp();
      const gc = await fx.repo.gc({ graceMs: 0 });
      assert.equal(gc.liveChunksMissing, 0);
      assert.ok(gc.packsDeleted + gc.packsRepacked > 0, JSON.stringify(gc));
      assert.ok((await fx.repo.stats()).packBytes < before.packBytes, 'the moved copies were given back');
      await assertAllRestore(fx, ids, streams);
      const verify = await fx.repo.verify();
      assert.equal(verify.ok, true, JSON.stringify(verify));
    } finally {
      await fx.cleanup();
    }
  });

  it('writes at most its budget, and the next run goes on where it stopped', async () => {
    const { fx, streams, ids } = await series();
    try {
      const budget = 1536 * 1024;
      const first = await fx.repo.repackForLocality({ maxBytes: budget });
      const before = first.streams[0]!.before.runs;
      assert.ok(first.bytesWritten > 0 && first.bytesWritten <= budget, `${first.bytesWritten} bytes written, budget ${budget}`);
      const stored = [...(await packs(fx)).values()].reduce((n, x) => n + x, 0);
      const second = await fx.repo.repackForLocality({ maxBytes: budget });
      assert.ok(second.bytesWritten > 0 && second.bytesWritten <= budget, `${second.bytesWritten}`);
      assert.ok(second.streams[0]!.after.runs < first.streams[0]!.after.runs && first.streams[0]!.after.runs < before, 'each run removes more runs');
      assert.equal([...(await packs(fx)).values()].reduce((n, x) => n + x, 0), stored + second.bytesWritten, 'nothing else is written');
      await assertAllRestore(fx, ids, streams);
      // The default budget: a tenth of the stored bytes.
      const third = await fx.repo.repackForLocality();
      assert.equal(third.budget, Math.floor((stored + second.bytesWritten) / 10));
      assert.ok(third.bytesWritten <= third.budget);
    } finally {
      await fx.cleanup();
    }
  });

  it('never copies from a quarantined pack', async () => {
    const { fx, streams, ids } = await series();
    try {
      // A pack of week 0 whose blob the newest point no longer reads (an edited chunk) is
      // damaged there; verify quarantines it, with its other chunks still in use.
      const newest = new Set<string>();
      for await (const id of fx.repo.chunkIds(ids.at(-1)!)) newest.add(id);
      let target: { packId: string; size: number; entries: PackEntry[] } | null = null;
      let offset = 0;
      for (const [packId, size] of await packs(fx)) {
        const entries = await trailer(fx, packId, size);
        const stale = blobsOf(entries).find((b) => b.entries.every((e) => !newest.has(e.id)));
        if (stale && entries.some((e) => newest.has(e.id))) {
          target = { packId, size, entries };
          offset = stale.offset + Math.floor(stale.length / 2);
          break;
        }
      }
      assert.ok(target, 'a pack both stale and in use');
      const file = join(fx.dir, 'packs', target.packId.slice(0, 2), target.packId);
      const bytes = await readFile(file);
      bytes[offset] = bytes[offset]! ^ 0xff;
      await writeFile(file, bytes);
      const verify = await fx.repo.verify();
      assert.equal(verify.ok, false);

      const before = await packs(fx);
      const report = await fx.repo.repackForLocality({ maxBytes: 64 * MiB });
      assert.ok(report.packsWritten > 0, 'other packs were repacked');
      const held = new Set(target.entries.map((e) => e.id));
      for (const [packId, size] of await packs(fx)) {
        if (before.has(packId)) continue;
        assert.ok(!(await trailer(fx, packId, size)).some((e) => held.has(e.id)), 'no chunk of the quarantined pack was copied');
      }
      fx.catchUp();
      await fx.repo.gc({ graceMs: 0 });
      assert.ok((await packs(fx)).has(target.packId), 'the quarantined pack stays for repair');
      const newestBack = await readAll(await fx.repo.restore(ids.at(-1)!));
      assert.ok(newestBack.equals(streams.at(-1)!), 'the newest point restores, from the quarantined pack too');
    } finally {
      await fx.cleanup();
    }
  });

  it('leaves a backup running beside it whole', async () => {
    const { fx, streams, ids } = await series();
    try {
      // The next week, deduplicating against the packs the repack reads, paused halfway.
      const next = weeklyStreams(streams.at(-1)!, 2, 10)[1]!;
      const paused = gate();
      const reached = gate();
      async function* source(): AsyncGenerator<Buffer> {
        const half = next.length / 2;
        for (let o = 0; o < half; o += 65_536) yield next.subarray(o, Math.min(o + 65_536, half));
        reached.open();
        await paused.wait;
        for (let o = half; o < next.length; o += 65_536) yield next.subarray(o, Math.min(o + 65_536, next.length));
      }
      const running = fx.repo.backup(Readable.from(source()));
      await reached.wait;
      const report = await fx.repo.repackForLocality({ maxBytes: 64 * MiB });
      assert.ok(report.bytesWritten > 0);
      fx.catchUp();
      const gc = await fx.repo.gc({ graceMs: 0 });
      assert.ok(gc.packsDeleted + gc.packsRepacked > 0, 'gc collected old copies while the backup was paused');
      paused.open();
      const { manifestId } = await running;
      await assertAllRestore(fx, [...ids, manifestId], [...streams, next]);
      fx.catchUp();
      await fx.repo.gc({ graceMs: 0 });
      await assertAllRestore(fx, [...ids, manifestId], [...streams, next]);
    } finally {
      await fx.cleanup();
    }
  });
});
