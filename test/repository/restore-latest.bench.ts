// The repository's read path alone, for the first and the latest of several weekly recovery points
// of churned dump-like data (rows deleted here and there, their new versions appended at the end
// of their table, as PostgreSQL's UPDATE and pg_dump do), restored into a sink that keeps nothing.
// Not a test: run by hand, `node test/repository/restore-latest.bench.ts [MiB] [weeks] [rounds] [other-src]`
// (default 200 MiB, 6 weeks, 3 rounds). Rounds alternate first and latest; prints each time and
// the CPU time of this process. With `other-src` (another build's src/ directory, e.g. from
// `git archive main src`), each restore also runs with that build's Repository, in turn, over
// the same repository: an A/B of two read paths in one invocation (docs/benchmarks.md).
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Session } from 'node:inspector/promises';
import { writeFileSync } from 'node:fs';
import { Writable } from 'node:stream';
import { FsStorage } from '../../src/storage/fs.ts';
import { Repository } from '../../src/repository/repository.ts';
import { systemClock } from '../../src/util/clock.ts';
import { dumpText, streamOf } from './helpers.ts';

const mib = Number(process.argv[2] ?? 200);
const weeks = Number(process.argv[3] ?? 6);
const rounds = Number(process.argv[4] ?? 3);
const otherSrc = process.argv[5];
type Repo = Pick<Repository, 'restoreInto'>;
const Other = otherSrc
  ? ((await import(join(otherSrc, 'repository/repository.ts'))) as { Repository: { open(s: unknown, k: Buffer, o: unknown): Promise<Repo> } }).Repository
  : null;
const TABLES = 10;

let seed = 7;
const rnd = (n: number): number => {
  seed ^= seed << 13;
  seed ^= seed >>> 17;
  seed ^= seed << 5;
  return (seed >>> 0) % n;
};

/** Tables of rows (lines); each week deletes 0.1% of the rows and appends their new versions. */
const tables: Buffer[][] = [];
{
  const text = dumpText(mib * 1024 * 1024, 3);
  const per = Math.ceil(text.length / TABLES);
  for (let t = 0; t < TABLES; t++) {
    const part = text.subarray(t * per, Math.min(text.length, (t + 1) * per));
    const rows: Buffer[] = [];
    let at = 0;
    for (;;) {
      const nl = part.indexOf(10, at);
      if (nl < 0) break;
      rows.push(part.subarray(at, nl + 1));
      at = nl + 1;
    }
    tables.push(rows);
  }
}
function churn(week: number): void {
  for (const rows of tables) {
    const n = Math.ceil(rows.length / 1000);
    for (let k = 0; k < n; k++) {
      const i = rnd(rows.length);
      const [row] = rows.splice(i, 1);
      rows.push(Buffer.from(`${row!.toString().trimEnd()} w${week}\n`));
    }
  }
}
const dump = (): Buffer => Buffer.concat(tables.map((rows) => Buffer.concat([...rows, Buffer.from('\\.\n')])));

const discard = (): Writable => new Writable({ highWaterMark: 64 * 1024, write: (_c, _e, cb) => cb() });

const dir = await mkdtemp(join(tmpdir(), 'dpv-latest-'));
try {
  const master = randomBytes(32);
  // DPV_BUDGET=MiB: this build's restore budget (default: the repository's).
  const budget = process.env.DPV_BUDGET ? { restoreBudget: Number(process.env.DPV_BUDGET) * 1024 * 1024 } : {};
  const repo = await Repository.init(new FsStorage(dir), master, { clock: systemClock, ...budget });
  const ids: string[] = [];
  for (let w = 1; w <= weeks; w++) {
    if (w > 1) churn(w);
    const data = dump();
    const r = await repo.backup(streamOf(data, 1024 * 1024));
    ids.push(r.manifestId);
    console.log(`week ${w}: ${(r.size / 1048576).toFixed(0)} MiB, new ${(r.newBytes / 1048576).toFixed(1)} MiB`);
  }
  const builds: [string, Repo][] = [['this', repo]];
  if (Other) builds.push(['other', await Other.open(new FsStorage(dir), master, { clock: systemClock })]);
  let profiled = false;
  const run = async (which: 'first' | 'latest', name: string, build: Repo): Promise<void> => {
    const id = which === 'first' ? ids[0]! : ids.at(-1)!;
    // DPV_PROFILE=FILE: a CPU profile of this thread during the first restore of the latest point.
    const profile = which === 'latest' && process.env.DPV_PROFILE && !profiled ? new Session() : null;
    if (profile) {
      profiled = true;
      profile.connect();
      await profile.post('Profiler.enable');
      await profile.post('Profiler.start');
    }
    let peak = 0;
    const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage.rss())), 10);
    const t0 = performance.now();
    const c0 = process.cpuUsage();
    await build.restoreInto(id, discard());
    const c = process.cpuUsage(c0);
    clearInterval(sampler);
    if (profile) writeFileSync(process.env.DPV_PROFILE!, JSON.stringify((await profile.post('Profiler.stop')).profile));
    console.log(`${name} ${which}: ${((performance.now() - t0) / 1000).toFixed(2)} s, main-thread+workers CPU ${((c.user + c.system) / 1e6).toFixed(2)} s, peak RSS ${(peak / 1048576).toFixed(0)} MiB`);
  };
  for (let i = 0; i < rounds; i++) {
    const order = i % 2 === 0 ? builds : [...builds].reverse();
    for (const w of i % 2 === 0 ? (['first', 'latest'] as const) : (['latest', 'first'] as const)) for (const [name, b] of order) await run(w, name, b);
  }
} finally {
  await rm(dir, { recursive: true, force: true });
}
