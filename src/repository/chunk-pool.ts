// A few worker threads that compress and seal batches of new chunks (chunk-jobs.ts) while the
// main thread goes on reading, chunking and hashing the stream. One pool serves one backup and is
// closed at its end; a worker that fails fails every job it held, and the pool refuses new ones.
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import type { OpenedBatch, OpenJob, SealedBatch, SealJob } from './chunk-jobs.ts';
import type { ChunkWorkerData, WorkerRequest } from './chunk-worker.ts';

/**
 * Worker threads a backup uses by default: one per core beyond the first (which reads, chunks
 * and hashes), at most four. On two cores, one: a second thread only competes with pg_dump and
 * PostgreSQL for the same cores and holds more memory (docs/tuning.md).
 */
export function defaultPoolThreads(): number {
  return Math.max(1, Math.min(4, availableParallelism() - 1));
}

interface Pending {
  worker: Worker;
  resolve: (out: never) => void;
  reject: (e: Error) => void;
}

/** The worker's module beside this one: .ts when run from source, .js when compiled. */
const WORKER_URL = new URL(import.meta.url.endsWith('.ts') ? './chunk-worker.ts' : './chunk-worker.js', import.meta.url);
/**
 * Workers inherit the process's Node options, except in a process run as `node -e` with
 * `--input-type`, which a worker refuses: there, the options less the script and its type.
 */
function workerExecArgv(): string[] | undefined {
  const argv = process.execArgv;
  if (!argv.some((a) => a.startsWith('--input-type'))) return undefined;
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '-e' || a === '--eval' || a === '-p' || a === '--print' || a === '--input-type') i++;
    else if (!a.startsWith('--input-type') && !a.startsWith('--eval=') && !a.startsWith('--print=')) out.push(a);
  }
  return out;
}

export class ChunkPool {
  readonly #workers: Worker[] = [];
  readonly #load = new Map<Worker, number>();
  readonly #pending = new Map<number, Pending>();
  #seq = 0;
  #broken: Error | null = null;

  /**
   * `background`: the threads run at a lower priority (where the platform allows), so they take
   * the cores PostgreSQL and the reading thread leave free rather than take turns with them. A
   * backup's sealing can wait (its queue is several batches deep and the main thread seals a
   * batch itself when the queue is full); PostgreSQL's COPY, which the whole dump waits on, cannot.
   */
  constructor(threads: number, opts: { background?: boolean } = {}) {
    const workerData: ChunkWorkerData = { background: opts.background === true };
    for (let i = 0; i < Math.max(1, threads); i++) {
      const worker = new Worker(WORKER_URL, { execArgv: workerExecArgv(), workerData, resourceLimits: { maxYoungGenerationSizeMb: 8 } });
      worker.on('message', (msg: { seq: number; out?: never; error?: string }) => this.#answer(worker, msg));
      worker.on('error', (e: Error) => this.#fail(worker, e));
      worker.on('exit', (code) => this.#fail(worker, new Error(`A chunk worker thread stopped (exit code ${code}).`)));
      this.#workers.push(worker);
      this.#load.set(worker, 0);
    }
  }

  /** The sealed blobs of `job`'s chunks. The job's buffers are handed over to the worker. */
  seal(job: SealJob): Promise<SealedBatch> {
    return this.#send({ seq: this.#seq++, seal: job }, [job.data.buffer, job.lengths.buffer, job.ids.buffer]);
  }

  /**
   * The opened chunks of a segment being restored, written into `into` when given (handed over
   * to the worker and back). The job's buffers are handed over too when they own their memory.
   */
  async open(job: OpenJob, into?: Buffer): Promise<OpenedBatch> {
    const transfer: ArrayBuffer[] = [];
    // Shared memory (a restore's window, which several jobs fill at once) is shared, not moved.
    const owned = (b: ArrayBufferView): boolean =>
      !(b.buffer instanceof SharedArrayBuffer) && b.byteOffset === 0 && b.byteLength === b.buffer.byteLength && !transfer.includes(b.buffer as ArrayBuffer);
    for (const b of [job.data, job.offsets, job.lengths, job.counts, job.rawLengths, job.ids, job.picks, ...(job.dests ? [job.dests] : [])]) {
      if (owned(b)) transfer.push(b.buffer as ArrayBuffer);
    }
    if (into && owned(into)) transfer.push(into.buffer as ArrayBuffer);
    const out = await this.#send<{ data: Uint8Array; bad: number }>({ seq: this.#seq++, open: job, into: into ?? null }, transfer);
    return { data: Buffer.from(out.data.buffer, out.data.byteOffset, out.data.byteLength), bad: out.bad };
  }

  #send<T>(msg: WorkerRequest, transfer: ArrayBuffer[]): Promise<T> {
    if (this.#broken) return Promise.reject(this.#broken);
    let worker = this.#workers[0]!;
    for (const w of this.#workers) if (this.#load.get(w)! < this.#load.get(worker)!) worker = w;
    this.#load.set(worker, this.#load.get(worker)! + 1);
    return new Promise<T>((resolve, reject) => {
      this.#pending.set(msg.seq, { worker, resolve: resolve as (out: never) => void, reject });
      worker.postMessage(msg, transfer);
    });
  }

  /** Whether a thread failed (or the pool was closed): it takes no more jobs. */
  get broken(): boolean {
    return this.#broken !== null;
  }

  /** Stops the threads; batches still out are failed. */
  async close(): Promise<void> {
    this.#broken ??= new Error('The chunk worker pool was closed.');
    await Promise.all(this.#workers.map((w) => w.terminate()));
  }

  #answer(worker: Worker, msg: { seq: number; out?: never; error?: string }): void {
    const p = this.#pending.get(msg.seq);
    if (!p) return;
    this.#pending.delete(msg.seq);
    this.#load.set(worker, this.#load.get(worker)! - 1);
    if (msg.out) p.resolve(msg.out);
    else p.reject(new Error(`A chunk worker thread failed: ${msg.error ?? 'unknown error'}.`));
  }

  #fail(worker: Worker, e: Error): void {
    this.#broken ??= e;
    for (const [seq, p] of this.#pending) {
      if (p.worker !== worker) continue;
      this.#pending.delete(seq);
      p.reject(e);
    }
  }
}

/**
 * One pool shared by everything that uses it at the same time (the restores running in this
 * process, and the sessions of a parallel one): started by the first user, stopped after the last,
 * so an idle process holds no thread and concurrent readers hold one pool, not one each. A pool
 * that broke is not handed out again; its users keep it until they let it go.
 */
export class SharedChunkPool {
  #pool: ChunkPool | null = null;
  #users = new Map<ChunkPool, number>();
  readonly #threads: number;

  constructor(threads: number) {
    this.#threads = threads;
  }

  take(): ChunkPool {
    if (!this.#pool || this.#pool.broken) this.#pool = new ChunkPool(this.#threads);
    this.#users.set(this.#pool, (this.#users.get(this.#pool) ?? 0) + 1);
    return this.#pool;
  }

  async give(pool: ChunkPool): Promise<void> {
    const n = (this.#users.get(pool) ?? 1) - 1;
    if (n > 0) return void this.#users.set(pool, n);
    this.#users.delete(pool);
    if (this.#pool === pool) this.#pool = null;
    await pool.close();
  }
}
