// Shared fixtures for the repository tests: a real repository on a temporary directory, and
// deterministic data that looks like a database dump.
import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { FsStorage } from '../../src/storage/fs.ts';
import { Repository } from '../../src/repository/repository.ts';
import type { InitOptions } from '../../src/repository/repository.ts';
import { ManualClock } from '../../src/util/clock.ts';

export interface RepoFixture {
  dir: string;
  storage: FsStorage;
  master: Buffer;
  clock: ManualClock;
  repo: Repository;
  /** Moves the repository's clock past every file written so far (so graceMs 0 means "all of them"). */
  catchUp(): void;
  cleanup(): Promise<void>;
}

/** Small chunks and packs so tests exercise many of each with little data. */
export const SMALL: Partial<InitOptions> = {
  chunker: { min: 16 * 1024, avg: 64 * 1024, max: 256 * 1024 },
  packSize: 512 * 1024,
};

export async function tempRepo(opts: Partial<InitOptions> = SMALL): Promise<RepoFixture> {
  const dir = await mkdtemp(join(tmpdir(), 'dpv-repo-'));
  const storage = new FsStorage(dir);
  const master = randomBytes(32);
  // Starts at the real time so the storage's file times and the repository's clock agree.
  const clock = new ManualClock(new Date());
  const repo = await Repository.init(storage, master, { ...opts, clock });
  return {
    dir,
    storage,
    master,
    clock,
    repo,
    catchUp: () => clock.set(new Date(Date.now() + 1000)),
    cleanup: () => rm(dir, { recursive: true, force: true }),
  };
}

/** Deterministic dump-like text: tab-separated rows from a seeded generator. */
export function dumpText(bytes: number, seed = 1): Buffer {
  let s = seed >>> 0 || 1;
  const next = (): number => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return s >>> 0;
  };
  const words = Array.from({ length: 4096 }, () => next().toString(36));
  const out = Buffer.allocUnsafe(bytes + 256);
  let at = 0;
  let row = 0;
  while (at < bytes) {
    const r = next();
    at += out.write(`${row++}\t${words[r & 4095]}\t${r % 100000}\t2024-${(r % 12) + 1}-${(r % 28) + 1}\t${words[(r >>> 12) & 4095]} ${words[(r >>> 20) & 4095]}\n`, at);
  }
  return out.subarray(0, bytes);
}

/** A readable over `data` in pieces of `piece` bytes (like a pipe). */
export function streamOf(data: Buffer, piece = 64 * 1024): Readable {
  async function* gen(): AsyncGenerator<Buffer> {
    for (let o = 0; o < data.length; o += piece) yield data.subarray(o, Math.min(o + piece, data.length));
  }
  return Readable.from(gen());
}

export async function readAll(stream: Readable): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const p of stream as AsyncIterable<Buffer>) parts.push(p);
  return Buffer.concat(parts);
}

export const sha256 = (b: Buffer): string => createHash('sha256').update(b).digest('hex');

/** A gate a test opens to let a paused source go on. */
export function gate(): { wait: Promise<void>; open: () => void } {
  let open!: () => void;
  const wait = new Promise<void>((r) => (open = r));
  return { wait, open };
}

/** A pseudo-random generator, so a failure repeats. */
export function rng(seed: number): () => number {
  let x = seed >>> 0;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) / 2 ** 32;
  };
}
