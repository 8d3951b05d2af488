// The locality repack measured at the repository level (docs/benchmarks.md, "Locality repack"):
// the bench dataset at a scale, `churn.sql` between weekly key-ordered dumps (as a backup job
// makes them), each week's dump backed up into two repositories: A as today (gc only), B with
// the vault's maintenance after each week (gc, then the locality repack within its default
// budget). Then the newest and the first point of each are restored into a null sink, alternated,
// `--repeat` times, and their reads measured (runs and packs per GiB).
//   scripts/with-node.sh node bench/locality.ts [--scale 1] [--weeks 6] [--repeat 3] [--budget-share 0.25]
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { parseArgs } from 'node:util';
import { startOrderedDump } from '../src/sources/postgres/ordered-dump.ts';
import { Repository } from '../src/repository/repository.ts';
import { FsStorage } from '../src/storage/fs.ts';
import { ManualClock } from '../src/util/clock.ts';
import { BenchCluster } from './lib/postgres.ts';

const { values } = parseArgs({ options: { scale: { type: 'string', default: '1' }, weeks: { type: 'string', default: '6' }, repeat: { type: 'string', default: '3' }, 'budget-share': { type: 'string' }, 'sql-dir': { type: 'string', default: '../shared/bench' } } });
const scale = Number(values.scale);
const weeks = Number(values.weeks);
const repeat = Number(values.repeat);
const sqlDir = values['sql-dir'];
/** The budget as a share of the stored packs instead of the default (min(10%, 1 GiB)). */
const budgetShare = values['budget-share'] === undefined ? null : Number(values['budget-share']);
const DAY = 86_400_000;
const MiB = 1024 * 1024;

const nullSink = (): Writable => new Writable({ write: (_c, _e, cb) => cb() });
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function main(): Promise<void> {
  const work = await mkdtemp(join(tmpdir(), 'dpv-locality-bench-'));
  const cluster = await BenchCluster.start();
  try {
    await cluster.createDatabase('shop');
    await cluster.psqlFile('shop', join(sqlDir, 'dataset.sql'), { scale });
    const clock = new ManualClock(new Date());
    const a = await Repository.init(new FsStorage(join(work, 'a')), Buffer.alloc(32, 1), { clock });
    const b = await Repository.init(new FsStorage(join(work, 'b')), Buffer.alloc(32, 2), { clock });
    const ids: { a: string; b: string }[] = [];
    const dumpFile = join(work, 'week.dump');
    console.log(`scale ${scale}, ${weeks} weeks; B runs maintenance (gc, then locality repack, budget ${budgetShare === null ? 'default' : `${budgetShare} of the stored packs`}) after each week`);
    console.log('| week | dump MB | B: gc wrote MB | B: repack wrote MB | budget MB | newest point runs before → after | packs before → after |');
    console.log('| ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
    for (let w = 0; w < weeks; w++) {
      if (w > 0) await cluster.psqlFile('shop', join(sqlDir, 'churn.sql'), { scale, week: w });
      const dump = await startOrderedDump(cluster.cluster.connection('shop'), { major: cluster.cluster.version });
      await Promise.all([pipeline(dump.stdout, createWriteStream(dumpFile)), dump.done]);
      clock.advance(7 * DAY);
      const ra = await a.backup(createReadStream(dumpFile), { recoveryPointId: `week-${w}` });
      const rb = await b.backup(createReadStream(dumpFile), { recoveryPointId: `week-${w}` });
      ids.push({ a: ra.manifestId, b: rb.manifestId });
      clock.advance(DAY);
      await a.gc({ graceMs: DAY });
      const gc = await b.gc({ graceMs: DAY });
      const budget = budgetShare === null ? await b.defaultRepackBudget() : Math.floor(budgetShare * (await b.stats()).packBytes);
      const loc = await b.repackForLocality({ maxBytes: Math.max(0, budget - gc.bytesWritten) });
      const s = loc.streams[0]!;
      const mb = (n: number): string => (n / 1e6).toFixed(1);
      console.log(`| ${w} | ${mb((await stat(dumpFile)).size)} | ${mb(gc.bytesWritten)} | ${mb(loc.bytesWritten)} | ${mb(budget)} | ${s.before.runs} → ${s.after.runs} | ${s.before.packs} → ${s.after.packs} |`);
    }
    for (const [name, repo] of [['A (gc only)', a], ['B (with locality repack)', b]] as const) {
      const m = (await repo.repackForLocality({ maxBytes: 0 })).streams[0]!.before;
      const st = await repo.stats();
      console.log(`${name}: newest point ${(m.rawBytes / MiB).toFixed(0)} MiB in ${m.runs} runs (${m.runsPerGiB.toFixed(0)}/GiB) from ${m.packs} packs (${m.packsPerGiB.toFixed(0)}/GiB); stored ${(st.packBytes / 1e6).toFixed(1)} MB`);
    }
    const times: Record<string, number[]> = {};
    const first = ids[0]!;
    const last = ids.at(-1)!;
    const runs: [string, Repository, string][] = [
      ['A first', a, first.a], ['A newest', a, last.a], ['B first', b, first.b], ['B newest', b, last.b],
    ];
    for (let r = 0; r < repeat; r++) {
      for (const [name, repo, id] of r % 2 === 0 ? runs : [...runs].reverse()) {
        const t0 = performance.now();
        await repo.restoreInto(id, nullSink());
        (times[name] ??= []).push((performance.now() - t0) / 1000);
      }
    }
    for (const [name] of runs) console.log(`restore ${name}: median ${median(times[name]!).toFixed(2)} s (${times[name]!.map((t) => t.toFixed(2)).join(', ')})`);
    console.log(`newest ÷ first: A ${(median(times['A newest']!) / median(times['A first']!)).toFixed(2)}x, B ${(median(times['B newest']!) / median(times['B first']!)).toFixed(2)}x`);
  } finally {
    await cluster.cluster.stop();
    await rm(work, { recursive: true, force: true });
  }
}

await main();
