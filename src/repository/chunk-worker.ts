// The body of a chunk-pool worker thread: it answers each job (seal a batch of new chunks;
// chunk-jobs.ts) with its result or an error message, under the job's sequence number.
import { parentPort } from 'node:worker_threads';
import { sealBatch } from './chunk-jobs.ts';
import type { SealJob } from './chunk-jobs.ts';

export interface WorkerRequest {
  seq: number;
  seal: SealJob;
}

const port = parentPort;
if (!port) throw new Error('chunk-worker.ts runs only as a worker thread.');
port.on('message', (msg: WorkerRequest) => {
  try {
    const out = sealBatch(msg.seal);
    port.postMessage({ seq: msg.seq, out }, [out.blobs.buffer, out.lengths.buffer]);
  } catch (e) {
    port.postMessage({ seq: msg.seq, error: e instanceof Error ? e.message : String(e) });
  }
});
