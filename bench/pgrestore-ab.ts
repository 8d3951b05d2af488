// A/B of the restore into PostgreSQL alone (docs/benchmarks.md, "Parallel restore into
// PostgreSQL"): `pg_restore -d` of a `pg_dump -Fc` file, dpvault's single-stream restore
// (restore.ts) and its parallel restore (parallel-restore.ts) with N sessions, both fed dpvault's
// key-ordered archive from a local file (the repository's read path is measured elsewhere),
// alternated in one run, several rounds, each into a new database after a checkpoint and sync.
// Usage: scripts/with-node.sh node bench/pgrestore-ab.ts [--scale 3] [--rounds 3] [--workers 2,4,2:33554432] [--window BYTES] [--no-parallel] [--only REGEX]
// (AB_CAT=1 adds Node's feed through `cat` into pg_restore)
import { spawn } from 'node:child_process';
import { createReadStream, createWriteStream, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { parseArgs } from 'node:util';
import { startOrderedDump } from '../src/sources/postgres/ordered-dump.ts';
import { DEFAULT_WINDOW_BYTES, startParallelRestore } from '../src/sources/postgres/parallel-restore.ts';
import { startRestore } from '../src/sources/postgres/restore.ts';
import { runRangedRestore, type ReadRanges } from '../src/sources/postgres/ranged-restore.ts';
import { feedInto as writeInto } from '../src/util/feed-into.ts';
import { BenchCluster } from './lib/postgres.ts';

const { values } = parseArgs({
  options: {
    scale: { type: 'string', default: '3' },
    rounds: { type: 'string', default: '3' },
    workers: { type: 'string', default: '2,4' },
    'no-parallel': { type: 'boolean', default: false },
    /** Only the variants whose name matches this regular expression (and the pg_restore -d baseline). */
    only: { type: 'string' },
    window: { type: 'string' },
    sql: { type: 'string', default: join(import.meta.dirname, '../../shared/bench/dataset.sql') },
  },
});
const log = (s: string): void => void process.stderr.write(`${new Date().toISOString()} ${s}\n`);
const dir = mkdtempSync(join(tmpdir(), 'dpvault-pgrestore-ab-'));
const pg = await BenchCluster.start();
try {
  const conn = pg.cluster.connection('postgres');
  const major = pg.cluster.version;
  await pg.createDatabase('src');
  log(`loading dataset.sql at scale ${values.scale}: ${(await pg.psqlFile('src', values.sql!, { scale: values.scale! })).toFixed(1)} s`);
  const fcFile = join(dir, 'src.dump');
  await pg.dump('src', fcFile, ['-Fc']);
  const archive = join(dir, 'ordered.dump');
  const dump = await startOrderedDump(pg.cluster.connection('src'), { major });
  await pipeline(dump.stdout, createWriteStream(archive));
  await dump.done;
  const layout = dump.layout?.() ?? null;
  // Byte ranges of the archive file, as a recovery point's reader gives them (ranged-restore.ts).
  const readRanges: ReadRanges = async (sink, ranges) => {
    for (const [a, b] of ranges) for await (const piece of createReadStream(archive, { start: a, end: b - 1, highWaterMark: 256 * 1024 })) await writeInto([piece as Buffer], sink);
  };

  const feedInto = async (restore: { stdin: NodeJS.WritableStream; done: Promise<void>; kill(): void }): Promise<void> => {
    const fed = pipeline(createReadStream(archive, { highWaterMark: 256 * 1024 }), restore.stdin).catch((e: unknown) => {
      restore.kill();
      throw e;
    });
    await Promise.all([fed, restore.done]);
  };
  const variants: { name: string; run(db: string): Promise<void> }[] = [
    { name: 'pg_restore -d (-Fc file)', run: async (db) => void (await pg.restore(fcFile, db)) },
    // The same archive dpvault streams, as a file pg_restore reads itself, and through a shell pipe:
    // what of dpvault's time is the archive's content, and what the pipe.
    { name: 'pg_restore -d (dpvault archive file)', run: async (db) => void (await pg.restore(archive, db)) },
    { name: 'pg_restore -j 2 -d (-Fc file)', run: async (db) => void (await pg.restore(fcFile, db, undefined, ['-j', '2'])) },
    { name: 'pg_restore -j 2 -d (dpvault archive file)', run: async (db) => void (await pg.restore(archive, db, undefined, ['-j', '2'])) },
    { name: 'pg_restore -d < dpvault archive (pipe)', run: async (db) => void (await pg.restoreFromPipe(archive, db)) },
    // Node's feed through `cat` into pg_restore: a kernel pipe downstream of Node's socket.
    ...(process.env.AB_CAT ? [{ name: 'Node | cat | pg_restore -d', run: async (db: string) => {
      await pg.createDatabase(db);
      const c = pg.connArgs(db);
      const child = spawn('sh', ['-c', 'cat | "$@"', 'sh', pg.tool('pg_restore'), ...c.args], { env: c.env, stdio: ['pipe', 'ignore', 'inherit'] });
      const exited = new Promise<void>((resolve, reject) => child.once('exit', (code) => (code === 0 ? resolve() : reject(new Error(`exit ${code}`)))));
      await pipeline(createReadStream(archive, { highWaterMark: 256 * 1024 }), child.stdin);
      await exited;
    } }] : []),
    { name: 'dpvault, one stream', run: async (db) => { await pg.createDatabase(db); await feedInto(await startRestore(conn, { major, targetDatabase: db })); } },
    // Each session reads only its own tables' bytes (the default for a point with a recorded layout).
    ...(layout ? [2, 3].map((w) => ({
      name: `dpvault, ${w} sessions from byte ranges`,
      run: async (db: string) => {
        await pg.createDatabase(db);
        const t0 = performance.now();
        const phases: string[] = [];
        const onPhaseEnd = (p: string): void => void phases.push(`${p} ${((performance.now() - t0) / 1000).toFixed(2)}`);
        await runRangedRestore(conn, { major, targetDatabase: db, workers: w, layout, read: readRanges, onPhaseEnd });
        log(`  phases ended at (s): ${phases.join(', ')}`);
      },
    })) : []),
    // N, or N:WINDOW_BYTES to try another fan-out window.
    ...(values['no-parallel'] ? [] : values.workers!.split(',')).map((spec) => spec.split(':')).map(([w, win]) => ({
      name: `dpvault, parallel ${w}${win ? ` (window ${Number(win) / 2 ** 20} MiB)` : ''}`,
      run: async (db: string) => {
        await pg.createDatabase(db);
        const t0 = performance.now();
        const phases: string[] = [];
        const onPhaseEnd = (p: string): void => void phases.push(`${p} ${((performance.now() - t0) / 1000).toFixed(2)}`);
        await feedInto(await startParallelRestore(conn, { major, targetDatabase: db, workers: Number(w), windowBytes: Number(win ?? values.window ?? DEFAULT_WINDOW_BYTES), onPhaseEnd }));
        log(`  phases ended at (s): ${phases.join(', ')}`);
      },
    })),
  ];
  if (values.only) {
    const keep = new RegExp(values.only);
    variants.splice(0, variants.length, ...variants.filter((v, i) => i === 0 || keep.test(v.name)));
  }
  const times = new Map<string, number[]>(variants.map((v) => [v.name, []]));
  const rounds = Number(values.rounds);
  for (let r = 0; r < rounds; r++) {
    for (let k = 0; k < variants.length; k++) {
      const v = variants[(k + r) % variants.length]!;
      await pg.settle();
      const db = `ab_${r}_${k}`;
      const t0 = performance.now();
      await v.run(db);
      const s = (performance.now() - t0) / 1000;
      times.get(v.name)!.push(s);
      if (r === 0) {
        const diff = await pg.compare('src', db);
        if (diff.length) throw new Error(`${v.name}: the restored database differs: ${JSON.stringify(diff.slice(0, 3))}`);
      }
      log(`round ${r + 1}/${rounds}: ${v.name} ${s.toFixed(2)} s`);
      await pg.dropDatabase(db);
    }
  }
  const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  const base = median(times.get(variants[0]!.name)!);
  console.log(`| restore (scale ${values.scale}, ${rounds} rounds) | median s | range s | ÷ pg_restore -d |`);
  console.log('|---|---|---|---|');
  for (const [name, xs] of times) {
    console.log(`| ${name} | ${median(xs).toFixed(2)} | ${Math.min(...xs).toFixed(2)}–${Math.max(...xs).toFixed(2)} | ${(median(xs) / base).toFixed(2)}x |`);
  }
} finally {
  await pg.stop();
  rmSync(dir, { recursive: true, force: true });
}
