// Throughput and memory of backup (chunk + compress + encrypt + pack upload to a local directory) and
// restore, on a pseudo-realistic stream of dump-like rows with some incompressible data.
// Not a test: run by hand, `node --expose-gc test/repository/throughput.bench.ts [MiB]` (default 200).
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { FsStorage } from '../../src/storage/fs.ts';
import { Repository } from '../../src/repository/repository.ts';
import { systemClock } from '../../src/util/clock.ts';

// A pool of pg_dump-like COPY lines, built once (not timed).
let seed = 12345;
const rnd = (): number => (seed = (seed * 1103515245 + 12345) & 0x7fffffff);
const words = Array.from({ length: 20000 }, () => rnd().toString(36));
const pool = Buffer.alloc(40 * 1024 * 1024);
let fill = 0;
for (let i = 0; fill < pool.length - 512; i++) {
  const row = `${i}\t${words[rnd() % 20000]}\t${rnd() % 100000}\t2024-0${(rnd() % 9) + 1}-${(rnd() % 28) + 10} 12:${rnd() % 60}:00\t${words[rnd() % 20000]} ${words[rnd() % 20000]} ${words[rnd() % 20000]}\t${(rnd() % 10000) / 100}\n`;
  fill += pool.write(row, fill);
}
(globalThis as { gc?: () => void }).gc?.();
const binary = randomBytes(8 << 20); // some incompressible content (bytea, toasted data)

async function* stream(total: number): AsyncGenerator<Buffer> {
  let produced = 0;
  let block = 0;
  while (produced < total) {
    // 64 KiB pieces from random places, a unique marker in each, 1 in 8 from incompressible data.
    const src = block % 8 === 7 ? binary : pool;
    const at = rnd() % ((src === pool ? fill : src.length) - 65536);
    const piece = Buffer.allocUnsafe(65536);
    src.copy(piece, 0, at, at + 65536);
    piece.write(`#${block}#`, 0);
    block++;
    produced += piece.length;
    yield piece;
  }
}

const total = Number(process.argv[2] ?? 200) * 1024 * 1024;
const dir = await mkdtemp(join(tmpdir(), 'dpv-bench-'));
let peak = 0;
let peakExt = 0;
const timer = setInterval(() => {
  const m = process.memoryUsage();
  peak = Math.max(peak, m.rss);
  peakExt = Math.max(peakExt, m.arrayBuffers + m.heapUsed);
}, 20);
try {
  const repo = await Repository.init(new FsStorage(dir), randomBytes(32), { clock: systemClock });
  const base = process.memoryUsage().rss;
  const t0 = performance.now();
  const cpu0 = process.cpuUsage();
  const res = await repo.backup(Readable.from(stream(total)));
  const secs = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  const cpuSecs = (cpu.user + cpu.system) / 1e6;
  console.log(`backup: ${(res.size / 1048576).toFixed(0)} MiB in ${secs.toFixed(2)} s = ${(res.size / 1048576 / secs).toFixed(0)} MiB/s; stored ${(res.storedBytes / 1048576).toFixed(0)} MiB in ${res.chunks} chunks; CPU ${cpuSecs.toFixed(2)} s (${(res.size / 1048576 / cpuSecs).toFixed(0)} MiB per CPU-second); rss base ${(base / 1048576).toFixed(0)} MiB peak ${(peak / 1048576).toFixed(0)} MiB, peak heap+buffers ${(peakExt / 1048576).toFixed(0)} MiB`);
  peak = 0;
  const t1 = performance.now();
  let restored = 0;
  for await (const c of await repo.restore(res.manifestId)) restored += (c as Buffer).length;
  const rsecs = (performance.now() - t1) / 1000;
  console.log(`restore: ${(res.size / 1048576 / rsecs).toFixed(0)} MiB/s, all bytes ${restored === res.size}, peak rss ${(peak / 1048576).toFixed(0)} MiB`);
} finally {
  clearInterval(timer);
  await rm(dir, { recursive: true, force: true });
}
