// The restore's read path (restore.ts, read-plan.ts): the latest of many churned points comes back
// byte for byte from packs written weeks apart, reading each pack in a few coalesced ranges; the
// bytes read and not yet written never exceed the restore's budget; damage in an old week's pack
// still fails the restore naming that pack.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { closeSync, openSync, readdirSync, statSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { after, before, describe, test } from 'node:test';
import { Repository } from '../../src/repository/repository.ts';
import { planWindow, type PlannedChunk } from '../../src/repository/read-plan.ts';
import type { Storage } from '../../src/storage/storage.ts';
import { dumpText, readAll, streamOf, tempRepo, type RepoFixture } from './helpers.ts';

/** Default 8 KiB chunks in 64 KiB frames, small packs: many packs per point, frames shared. */
const OPTS = { packSize: 256 * 1024 };

/** Rows of dump-like text, churned a week at a time: rows deleted here and there, new versions appended. */
function weeklyDumps(weeks: number, bytes: number): Buffer[] {
  const text = dumpText(bytes, 9).toString();
  const rows = text.split(/(?<=\n)/);
  let s = 42;
  const rnd = (n: number): number => {
    s = (s * 1103515245 + 12345) & 0x7fffffff;
    return s % n;
  };
  const out = [Buffer.from(rows.join(''))];
  for (let w = 2; w <= weeks; w++) {
    for (let k = 0; k < Math.ceil(rows.length / 3000); k++) {
      const [row] = rows.splice(rnd(rows.length), 1);
      rows.push(`${row!.trimEnd()}\tweek ${w}\n`);
    }
    out.push(Buffer.from(rows.join('')));
  }
  return out;
}

/** A sink that keeps what it is given, completing each write after a turn of the event loop. */
function collectingSink(onWritten?: (bytes: number) => void): Writable & { bytes(): Buffer } {
  const got: Buffer[] = [];
  const sink = new Writable({
    highWaterMark: 1,
    write(chunk: Buffer, _enc, cb) {
      setImmediate(() => {
        got.push(Buffer.from(chunk));
        onWritten?.(chunk.length);
        cb();
      });
    },
  }) as Writable & { bytes(): Buffer };
  sink.bytes = () => Buffer.concat(got);
  return sink;
}

/** `storage` with every ranged read of a pack's data (not its trailer), streamed or positional, reported to `onRead`. */
function countingStorage(storage: Storage, dir: string, onRead: (name: string, length: number) => void): Storage {
  const seen = (name: string, offset: number, length: number | undefined): void => {
    if (name.startsWith('packs/') && length !== undefined && offset + length < statSync(join(dir, name)).size) onRead(name, length);
  };
  return new Proxy(storage, {
    get(target, prop) {
      const value = Reflect.get(target, prop, target) as unknown;
      if (prop === 'getStream') {
        return async (name: string, range?: { offset: number; length?: number }) => {
          if (range) seen(name, range.offset, range.length);
          return target.getStream(name, range);
        };
      }
      if (prop === 'readInto' && target.readInto) {
        return async (name: string, offset: number, into: Uint8Array) => {
          seen(name, offset, into.length);
          return target.readInto!(name, offset, into);
        };
      }
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  });
}

describe('restoring the latest of many churned weekly points', () => {
  let fx: RepoFixture;
  const dumps = weeklyDumps(6, 3 * 1024 * 1024);
  const ids: string[] = [];

  before(async () => {
    fx = await tempRepo(OPTS);
    for (const d of dumps) ids.push((await fx.repo.backup(streamOf(d))).manifestId);
  });
  after(() => fx?.cleanup());

  test('every point comes back byte for byte, as a stream and into a sink, in small windows and in one', async () => {
    for (const restoreBudget of [256 * 1024, 64 * 1024 * 1024]) {
      const repo = await Repository.open(fx.storage, fx.master, { clock: fx.clock, restoreBudget });
      for (const [week, id] of ids.entries()) {
        assert.ok((await readAll(await repo.restore(id))).equals(dumps[week]!), `week ${week + 1} as a stream, budget ${restoreBudget}`);
        const sink = collectingSink();
        await repo.restoreInto(id, sink);
        assert.ok(sink.bytes().equals(dumps[week]!), `week ${week + 1} into a sink, budget ${restoreBudget}`);
      }
    }
  });

  test('the latest point reads each pack it needs in a few coalesced ranges, not once per run of chunks', async () => {
    const reads = new Map<string, number>();
    const storage = countingStorage(fx.storage, fx.dir, (name) => reads.set(name, (reads.get(name) ?? 0) + 1));
    const repo = await Repository.open(storage, fx.master, { clock: fx.clock });
    const sink = collectingSink();
    await repo.restoreInto(ids.at(-1)!, sink);
    assert.ok(sink.bytes().equals(dumps.at(-1)!));
    const total = [...reads.values()].reduce((a, b) => a + b, 0);
    // One window holds the whole 3 MiB stream: a pack is read in one range unless what the point
    // needs of it is more than 256 KiB apart, which a 256 KiB pack cannot be.
    assert.ok(total <= reads.size, `${total} reads of ${reads.size} packs`);
    assert.ok(reads.size > 6, `the latest point needs packs of several weeks (${reads.size})`);
  });

  test('damage in a pack of the first week fails the latest restore, naming that pack', async () => {
    const other = await tempRepo(OPTS);
    try {
      let latest = (await other.repo.backup(streamOf(dumps[0]!))).manifestId;
      // The first week's biggest pack: a pack named first could be a flush of a few KiB, smaller
      // than the trailer room kept below.
      const sizeOf = (pack: string): number => statSync(join(other.dir, pack)).size;
      const victim = listPacks(other.dir).sort((a, b) => sizeOf(b) - sizeOf(a))[0]!;
      assert.ok(sizeOf(victim) > 64 * 1024, `the first week's biggest pack holds ${sizeOf(victim)} bytes`);
      for (const d of dumps.slice(1)) latest = (await other.repo.backup(streamOf(d))).manifestId;
      // Every blob of the pack garbled, its trailer kept: the latest point still needs some of them.
      const fd = openSync(join(other.dir, victim), 'r+');
      writeSync(fd, Buffer.alloc(statSync(join(other.dir, victim)).size - 16 * 1024, 0xa5), 0, undefined, 0);
      closeSync(fd);
      const sink = collectingSink();
      await assert.rejects(other.repo.restoreInto(latest, sink), (e: Error & { code?: string }) => {
        assert.equal(e.code, 'RepositoryDataCorrupt');
        assert.match(e.message, new RegExp(`manifest '${latest}'.*pack '${victim}'`));
        return true;
      });
      assert.ok(dumps.at(-1)!.subarray(0, sink.bytes().length).equals(sink.bytes()), 'what was written before the damage is exact');
    } finally {
      await other.cleanup();
    }
  });
});

function listPacks(dir: string): string[] {
  const out: string[] = [];
  for (const sub of readdirSafe(join(dir, 'packs'))) for (const f of readdirSafe(join(dir, 'packs', sub))) out.push(`packs/${sub}/${f}`);
  return out;
}

function readdirSafe(path: string): string[] {
  try {
    return statSync(path).isDirectory() ? readdirSync(path) : [];
  } catch {
    return [];
  }
}

test('bytes read and not yet written never exceed the restore budget', async () => {
  const fx = await tempRepo({}); // 4 MiB packs: runs of a pack far longer than the budget
  try {
    const data = randomBytes(6 * 1024 * 1024); // incompressible: bytes read ≈ bytes written
    const id = (await fx.repo.backup(streamOf(data))).manifestId;
    const budget = 1024 * 1024;
    let requested = 0;
    let written = 0;
    let peak = 0;
    const storage = countingStorage(fx.storage, fx.dir, (_name, length) => {
      requested += length;
      peak = Math.max(peak, requested - written);
    });
    const repo = await Repository.open(storage, fx.master, { clock: fx.clock, restoreBudget: budget });
    const sink = collectingSink((n) => (written += n));
    await repo.restoreInto(id, sink);
    assert.ok(sink.bytes().equals(data));
    assert.ok(requested >= data.length, 'every byte was read from packs');
    assert.ok(peak <= budget, `at most ${budget} bytes read ahead of the sink, saw ${peak}`);
    assert.ok(peak > budget / 4, `the budget is used for reading ahead (${peak})`);
  } finally {
    await fx.cleanup();
  }
});

test('a window plan reads each blob once, packs coalesced by offset, every chunk at its place in the stream', () => {
  const c = (id: string, packId: string, offset: number, length: number, rawLength: number): PlannedChunk => ({ id, packId, offset, length, rawLength });
  // Stream: a1 (blob 0 of A), b1 (B), a2 (blob 0 of A again), a3 (blob 100 of A), a9 (far in A), a1 again.
  const chunks = [c('a1', 'A', 0, 100, 10), c('b1', 'B', 0, 50, 20), c('a2', 'A', 0, 100, 30), c('a3', 'A', 100, 40, 40), c('a9', 'A', 10_000, 10, 5), c('a1', 'A', 0, 100, 10)];
  const plan = planWindow(chunks, { gapMax: 1000, rangeMax: 1 << 20 });
  assert.equal(plan.raw, 115);
  assert.deepEqual(
    plan.ranges.map((r) => ({ pack: r.packId, start: r.start, end: r.end, picks: r.picks.map((p) => `${p.chunk.id}@${p.dest}`) })),
    [
      { pack: 'A', start: 0, end: 140, picks: ['a1@0', 'a2@30', 'a1@105', 'a3@60'] },
      { pack: 'A', start: 10_000, end: 10_010, picks: ['a9@100'] },
      { pack: 'B', start: 0, end: 50, picks: ['b1@10'] },
    ],
  );
});
