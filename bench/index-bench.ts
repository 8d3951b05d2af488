// The chunk index alone, synthetic: builds an index of N random chunk ids (in packs of 1,000, as
// backups add them), then reports lookups per second of ids it holds (hits) and of new ids
// (misses), the process's memory (RSS, heap, array buffers) at four sizes, and the slope of memory
// per chunk over the last three (heap used + array buffers after a full collection; the first
// sample is left out of the slope, as it still holds the warm-up's compiled code and feedback).
//
//   npm run bench:index                          # 10^8 chunk ids (needs ~5 GB of temporary disk)
//   npm run bench:index -- --chunks 10000000 --json
//   npm run bench:index -- --dir /var/tmp        # where the run files go (default: the temp dir)
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { ChunkIndex } from '../src/repository/chunk-index.ts';

const PER_PACK = 1000;
const LOOKUPS = 200_000;

interface Sample {
  chunks: number;
  rssBytes: number;
  heapUsedBytes: number;
  arrayBuffersBytes: number;
  /** Bytes the index's filters and fence tables hold. */
  runBytes: number;
}

export interface IndexBenchResult {
  chunks: number;
  buildSeconds: number;
  runs: number;
  samples: Sample[];
  /** (heap used + array buffers) per chunk between the first and the last sample. */
  bytesPerChunk: number;
  hitsPerSecond: number;
  missesPerSecond: number;
}

function arg(name: string): string | undefined {
  const at = process.argv.indexOf(`--${name}`);
  return at < 0 ? undefined : process.argv[at + 1];
}

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

function sample(index: ChunkIndex, chunks: number): Sample {
  gc();
  gc();
  const m = process.memoryUsage();
  return { chunks, rssBytes: m.rss, heapUsedBytes: m.heapUsed, arrayBuffersBytes: m.arrayBuffers, runBytes: index.runBytes };
}

function perSecond(ids: string[], index: ChunkIndex, expectFound: boolean): number {
  const start = process.hrtime.bigint();
  let found = 0;
  for (const id of ids) if (index.packOf(id) !== undefined) found++;
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  if (expectFound ? found !== ids.length : found !== 0) throw new Error(`Index bench: ${found} of ${ids.length} lookups found, expected ${expectFound ? 'all' : 'none'}.`);
  return ids.length / seconds;
}

/** Least-squares slope of (heap used + array buffers) over chunks. */
function slope(samples: Sample[]): number {
  const xs = samples.map((s) => s.chunks);
  const ys = samples.map((s) => s.heapUsedBytes + s.arrayBuffersBytes);
  const mean = (v: number[]): number => v.reduce((a, b) => a + b, 0) / v.length;
  const [mx, my] = [mean(xs), mean(ys)];
  const cov = xs.reduce((n, x, i) => n + (x - mx) * (ys[i]! - my), 0);
  return cov / xs.reduce((n, x) => n + (x - mx) ** 2, 0);
}

export function runIndexBench(chunks: number, dir: string): IndexBenchResult {
  const index = new ChunkIndex({ dir });
  // Sampled ids kept as bytes in one buffer allocated up front: no memory that grows with N.
  const hitBytes = Buffer.alloc(32 * LOOKUPS);
  let hitCount = 0;
  const every = Math.max(1, Math.floor(chunks / LOOKUPS));
  const samples: Sample[] = [];
  const marks = [0.25, 0.5, 0.75, 1].map((f) => Math.round((chunks * f) / PER_PACK) * PER_PACK);
  const start = process.hrtime.bigint();
  let buildNs = 0n;
  for (let added = 0; added < chunks; ) {
    const n = Math.min(PER_PACK, chunks - added);
    const ids = randomBytes(32 * n).toString('hex');
    const entries = [];
    for (let i = 0; i < n; i++) {
      const id = ids.slice(64 * i, 64 * i + 64);
      entries.push({ id, offset: i * 9000, length: 9000, rawLength: 8192 });
      if ((added + i) % every === 0 && hitCount < LOOKUPS) hitBytes.write(id, 32 * hitCount++, 'hex');
    }
    index.add({ packId: randomBytes(32).toString('hex'), size: 4 << 20, entries });
    added += n;
    if (marks.includes(added)) {
      index.flush();
      index.compact();
      const t = process.hrtime.bigint();
      samples.push(sample(index, added));
      buildNs -= process.hrtime.bigint() - t;
    }
  }
  buildNs += process.hrtime.bigint() - start;
  const hits = Array.from({ length: hitCount }, (_, i) => hitBytes.toString('hex', 32 * i, 32 * i + 32));
  const misses = Array.from({ length: hitCount }, () => randomBytes(32).toString('hex'));
  return {
    chunks,
    buildSeconds: Number(buildNs) / 1e9,
    runs: index.runCount,
    samples,
    bytesPerChunk: slope(samples.slice(1)),
    hitsPerSecond: perSecond(hits, index, true),
    missesPerSecond: perSecond(misses, index, false),
  };
}

if (import.meta.main) {
  const chunks = Number(arg('chunks') ?? 1e8);
  if (!Number.isInteger(chunks) || chunks < 4 * PER_PACK) {
    console.error(`--chunks must be an integer of at least ${4 * PER_PACK}.`);
    process.exit(2);
  }
  const dir = mkdtempSync(join(arg('dir') ?? tmpdir(), 'dpvault-index-bench-'));
  try {
    const r = runIndexBench(chunks, dir);
    if (process.argv.includes('--json')) console.log(JSON.stringify(r));
    else {
      const mib = (b: number): string => `${(b / 2 ** 20).toFixed(1)} MiB`;
      console.log(`${r.chunks} chunk ids, built in ${r.buildSeconds.toFixed(1)} s into ${r.runs} run(s)`);
      for (const s of r.samples) console.log(`  at ${s.chunks}: RSS ${mib(s.rssBytes)}, heap used ${mib(s.heapUsedBytes)}, array buffers ${mib(s.arrayBuffersBytes)}, filters+fences ${mib(s.runBytes)}`);
      console.log(`memory per chunk (slope): ${r.bytesPerChunk.toFixed(2)} bytes`);
      console.log(`lookups: ${Math.round(r.hitsPerSecond)}/s hits, ${Math.round(r.missesPerSecond)}/s misses`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
