// What opening a repository, its garbage collection and a restore of its latest point cost in
// memory as the repository grows (issue 14), without a server or PostgreSQL: a repository of many
// small chunks (pseudo-random data in 1 KiB chunks, so 700 MiB is ~650,000 chunks, about the chunk
// count of the scale-100 bench), two points sharing 90% of their chunks. Each measurement runs in
// a fresh child process with the server's Node flag (--max-semi-space-size=2) and malloc settings
// (MALLOC_ENV; `--system-malloc` leaves glibc's defaults), sampling its RSS, heap used and array
// buffers every 5 ms. The `series` step is what a server does each week: a backup (a tenth of the
// data new) and then gc in one process, with the worker's collection between them (so each run
// adds a point). Figures in docs/benchmarks.md.
//
//   scripts/with-node.sh node bench/repo-memory.ts --mib 700 [--dir DIR] [--runs 2] [--system-malloc]
import { spawnSync } from 'node:child_process';
import { createCipheriv, createHash, randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable, Writable } from 'node:stream';
import { parseArgs } from 'node:util';
import { MALLOC_ENV } from '../src/cli/commands/service-process.ts';
import { Repository } from '../src/repository/repository.ts';
import { FsStorage } from '../src/storage/fs.ts';
import { systemClock } from '../src/util/clock.ts';
import { collectGarbage } from '../src/util/full-gc.ts';

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
  /** RSS when the step began (after the open, or for `series`' gc after the backup and the collection). */
  openedRss: number;
  rss: number;
  heap: number;
  arrayBuffers: number;
  ms: number;
}

const BLOCK = 100_000;

/**
 * `bytes` of week `week`'s data, made as it is read: an AES-CTR keystream, the same every week
 * but in a tenth of it (10,000 bytes of every 100,000, at a place that moves with the week),
 * which is the week's own. No week holds the whole of it in memory.
 */
function weekData(week: number, bytes: number): Readable {
  const stream = (key: string, block: number, length: number): Buffer => {
    const iv = Buffer.alloc(16);
    iv.writeUInt32BE(block, 12);
    return createCipheriv('aes-256-ctr', createHash('sha256').update(key).digest(), iv).update(Buffer.alloc(length));
  };
  async function* gen(): AsyncGenerator<Buffer> {
    for (let b = 0; b * BLOCK < bytes; b++) {
      const length = Math.min(BLOCK, bytes - b * BLOCK);
      const data = stream('base', b * (BLOCK / 16), length);
      const at = ((week * 37) % 9) * 10_000;
      if (week > 0 && at < length) stream(`week ${week}`, b * 1000, Math.min(10_000, length - at)).copy(data, at);
      yield data;
    }
  }
  return Readable.from(gen());
}

/** In a child: opens the repository in `dir` and runs `op`, reporting peaks as JSON lines on stdout. */
async function child(op: string, dir: string, mib: number): Promise<void> {
  const master = await readFile(join(dir, 'master.key'));
  const storage = new FsStorage(join(dir, 'repo'));
  let peak = { rss: 0, heap: 0, arrayBuffers: 0 };
  const sample = (): void => {
    const m = process.memoryUsage();
    peak.rss = Math.max(peak.rss, m.rss);
    peak.heap = Math.max(peak.heap, m.heapUsed);
    peak.arrayBuffers = Math.max(peak.arrayBuffers, m.arrayBuffers);
  };
  const timer = setInterval(sample, 5);
  let t0 = performance.now();
  const repo = await Repository.open(storage, master, { clock: systemClock });
  const chunks = (await repo.stats()).chunks;
  sample();
  let openedRss = peak.rss;
  const report = (): void => {
    sample();
    const out: Peaks = { chunks, openedRss, ...peak, ms: performance.now() - t0 };
    process.stdout.write(`${JSON.stringify(out)}\n`);
  };
  if (op === 'gc') await repo.gc({ graceMs: 0 });
  if (op === 'restore') {
    const latest = (await readFile(join(dir, 'latest'), 'utf8')).trim();
    await repo.restoreInto(latest, new Writable({ write: (_c, _e, cb) => cb() }));
  }
  if (op === 'series') {
    const week = (await repo.listManifests()).length;
    await repo.backup(weekData(week, mib * MiB), { recoveryPointId: `week ${week}` });
    report();
    // As the worker does after each task (jobs/worker.ts).
    collectGarbage();
    peak = { rss: 0, heap: 0, arrayBuffers: 0 };
    sample();
    openedRss = peak.rss;
    t0 = performance.now();
    await repo.gc({ graceMs: 0 });
  }
  report();
  clearInterval(timer);
}

async function setUp(dir: string, mib: number): Promise<number> {
  const master = randomBytes(32);
  await writeFile(join(dir, 'master.key'), master);
  const repo = await Repository.init(new FsStorage(join(dir, 'repo')), master, { clock: systemClock, chunker: { min: 256, avg: 1024, max: 4096 } });
  await repo.backup(weekData(0, mib * MiB), { recoveryPointId: 'first' });
  const r = await repo.backup(weekData(1, mib * MiB), { recoveryPointId: 'latest' });
  await writeFile(join(dir, 'latest'), r.manifestId);
  return (await repo.stats()).chunks;
}

function measure(op: string, dir: string): Peaks[] {
  const env = values['system-malloc'] ? process.env : { ...MALLOC_ENV, ...process.env };
  const r = spawnSync(process.execPath, ['--max-semi-space-size=2', new URL(import.meta.url).pathname, '--child', op, '--dir', dir, '--mib', values.mib!], { encoding: 'utf8', maxBuffer: 16 * MiB, env });
  if (r.status !== 0) throw new Error(`${op} failed (${r.status}): ${r.stderr.slice(-2000)}`);
  return r.stdout.trim().split('\n').map((line) => JSON.parse(line) as Peaks);
}

if (values.child) {
  await child(values.child, values.dir!, Number(values.mib));
} else {
  const mib = Number(values.mib);
  const dir = values.dir ?? (await mkdtemp(join(tmpdir(), 'dpv-repo-memory-')));
  try {
    const chunks = await setUp(dir, mib);
    console.log(`${mib} MiB twice over, ${chunks} chunks in ${dir}`);
    console.log('| step | chunks | RSS at the start | peak RSS | peak heap used | peak array buffers | seconds |');
    console.log('| --- | ---: | ---: | ---: | ---: | ---: | ---: |');
    const f = (b: number): string => `${(b / MiB).toFixed(1)} MiB`;
    for (let run = 1; run <= Number(values.runs); run++) {
      for (const op of ['open', 'gc', 'restore', 'series']) {
        const steps = measure(op, dir);
        const names = op === 'series' ? ['series: backup', 'series: then gc'] : [op];
        steps.forEach((p, i) => {
          console.log(`| ${names[i]} (run ${run}) | ${p.chunks} | ${f(p.openedRss)} | ${f(p.rss)} | ${f(p.heap)} | ${f(p.arrayBuffers)} | ${(p.ms / 1000).toFixed(1)} |`);
        });
      }
    }
  } finally {
    if (!values.dir) await rm(dir, { recursive: true, force: true });
  }
}
