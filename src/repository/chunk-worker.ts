// The body of a chunk-pool worker thread: it answers each job (seal a batch of new chunks, or
// open a segment of blobs being restored; chunk-jobs.ts) with its result or an error message,
// under the job's sequence number. Buffers arrive as plain Uint8Arrays and are wrapped again.
import { parentPort, workerData } from 'node:worker_threads';
import { lowerThreadPriority } from '../util/thread-priority.ts';
import { openBatch, sealBatch } from './chunk-jobs.ts';
import type { OpenJob, SealJob } from './chunk-jobs.ts';

export interface ChunkWorkerData {
  /** Run at a lower priority than the process (ChunkPool's `background`). */
  background: boolean;
}

/** How much lower a background worker runs (nice 10 from 0; docs/tuning.md). */
const BACKGROUND_NICE = 10;

export type WorkerRequest = { seq: number; seal: SealJob } | { seq: number; open: OpenJob; into: Uint8Array | null };

const asBuffer = (u: Uint8Array): Buffer => Buffer.from(u.buffer, u.byteOffset, u.byteLength);

const port = parentPort;
if (!port) throw new Error('chunk-worker.ts runs only as a worker thread.');
if ((workerData as ChunkWorkerData | null)?.background) lowerThreadPriority(BACKGROUND_NICE);
port.on('message', (msg: WorkerRequest) => {
  try {
    if ('seal' in msg) {
      const out = sealBatch(msg.seal);
      port.postMessage({ seq: msg.seq, out }, [out.blobs.buffer, out.lengths.buffer, out.counts.buffer]);
      return;
    }
    const job = msg.open;
    const opened = openBatch(
      { ...job, dataKey: asBuffer(job.dataKey), idKey: asBuffer(job.idKey), data: asBuffer(job.data), ids: asBuffer(job.ids) },
      msg.into ? asBuffer(msg.into) : undefined,
    );
    const data = opened.data;
    // The output is `into` or a buffer of its own: either way it can be handed back whole.
    port.postMessage({ seq: msg.seq, out: { data, bad: opened.bad } }, data.byteLength > 0 ? [data.buffer as ArrayBuffer] : []);
  } catch (e) {
    port.postMessage({ seq: msg.seq, error: e instanceof Error ? e.message : String(e) });
  }
});
