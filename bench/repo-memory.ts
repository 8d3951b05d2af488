// What opening a repository, its garbage collection and a restore of its latest point cost in
// memory as the repository grows (issue 14), without a server or PostgreSQL: a repository of many
// small chunks (random data in 1 KiB chunks, so 700 MiB is ~650,000 chunks, about the chunk count
// of the scale-100 bench), two points sharing 90% of their chunks. Each measurement runs in a
// fresh child process with the server's Node flag (--max-semi-space-size=2) and malloc settings
// (MALLOC_ENV; `--system-malloc` leaves glibc's defaults), sampling its RSS, heap used and array
// buffers every 5 ms. Figures in docs/benchmarks.md.
//
//   scripts/with-node.sh node bench/repo-memory.ts --mib 700 [--dir DIR] [--runs 2] [--system-malloc]
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { parseArgs } from 'node:util';
import { MALLOC_ENV } from '../src/cli/commands/service-process.ts';
import { Repository } from '../src/repository/repository.ts';
import { FsStorage } from '../src/storage/fs.ts';
import { systemClock } from '../src/util/clock.ts';
import { streamOf } from '../test/repository/helpers.ts';

const MiB = 2 ** 20;
const { values } = parseArgs({
  options: {
    mib: { type: 'string', default: '700' },
    dir: { type: 'string' },
    runs: { type: 'string', default: '2' },
    child: { type: 'string' },
    'system-malloc': { type: 'boolean', default: false },
  },
});

interface Peaks {
  chunks: number;
  openedRss: number;
  rss: number;
  heap: number;
  arrayBuffers: number;
  ms: number;
}

/** In a child: opens the repository in `dir` and runs `op`, reporting peaks as JSON on stdout. */
async function child(op: string, dir: string): Promise<void> {
  const master = await readFile(join(dir, 'master.key'));
  const storage = new FsStorage(join(dir, 'repo'));
  const peak = { rss: 0, heap: 0, arrayBuffers: 0 };
  const sample = (): void => {
    const m = process.memoryUsage();
    peak.rss = Math.max(peak.rss, m.rss);
    peak.heap = Math.max(peak.heap, m.heapUsed);
    peak.arrayBuffers = Math.max(peak.arrayBuffers, m.arrayBuffers);
  };
  const timer = setInterval(sample, 5);
  const t0 = performance.now();
  const repo = await Repository.open(storage, master, { clock: systemClock });
  const chunks = (await repo.stats()).chunks;
  sample();
  const openedRss = peak.rss;
  if (op === 'gc') await repo.gc({ graceMs: 0 });
  if (op === 'restore') {
    const latest = (await readFile(join(dir, 'latest'), 'utf8')).trim();
    await repo.restoreInto(latest, new Writable({ write: (_c, _e, cb) => cb() }));
  }
  sample();
  clearInterval(timer);
  const out: Peaks = { chunks, openedRss, ...peak, ms: performance.now() - t0 };
  process.stdout.write(JSON.stringify(out));
}

async function setUp(dir: string, mib: number): Promise<number> {
  const master = randomBytes(32);
  await writeFile(join(dir, 'master.key'), master);
  const repo = await Repository.init(new FsStorage(join(dir, 'repo')), master, { clock: systemClock, chunker: { min: 256, avg: 1024, max: 4096 } });
  const data = randomBytes(mib * MiB);
  await repo.backup(streamOf(data), { recoveryPointId: 'first' });
  // A tenth changed, in 10 KB pieces every 100 KB.
  for (let i = 0; i < data.length; i += 100_000) data.fill(i & 255, i, Math.min(data.length, i + 10_000));
  const r = await repo.backup(streamOf(data), { recoveryPointId: 'latest' });
  await writeFile(join(dir, 'latest'), r.manifestId);
  return (await repo.stats()).chunks;
}

function measure(op: string, dir: string): Peaks {
  const env = values['system-malloc'] ? process.env : { ...MALLOC_ENV, ...process.env };
  const r = spawnSync(process.execPath, ['--max-semi-space-size=2', new URL(import.meta.url).pathname, '--child', op, '--dir', dir], { encoding: 'utf8', maxBuffer: 16 * MiB, env });
  if (r.status !== 0) throw new Error(`${op} failed (${r.status}): ${r.stderr.slice(-2000)}`);
  return JSON.parse(r.stdout) as Peaks;
}

if (values.child) {
  await child(values.child, values.dir!);
} else {
  const mib = Number(values.mib);
  const dir = values.dir ?? (await mkdtemp(join(tmpdir(), 'dpv-repo-memory-')));
  try {
    const chunks = await setUp(dir, mib);
    console.log(`${mib} MiB twice over, ${chunks} chunks in ${dir}`);
    console.log('| step | chunks | RSS after open | peak RSS | peak heap used | peak array buffers | seconds |');
    console.log('| --- | ---: | ---: | ---: | ---: | ---: | ---: |');
    const f = (b: number): string => `${(b / MiB).toFixed(1)} MiB`;
    for (let run = 1; run <= Number(values.runs); run++) {
      for (const op of ['open', 'gc', 'restore']) {
        const p = measure(op, dir);
        console.log(`| ${op} (run ${run}) | ${p.chunks} | ${f(p.openedRss)} | ${f(p.rss)} | ${f(p.heap)} | ${f(p.arrayBuffers)} | ${(p.ms / 1000).toFixed(1)} |`);
      }
    }
  } finally {
    if (!values.dir) await rm(dir, { recursive: true, force: true });
  }
}
