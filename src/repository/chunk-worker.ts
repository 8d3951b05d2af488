// The body of a chunk-pool worker thread: it answers each job (seal a batch of new chunks, or
// open a batch of blobs; chunk-jobs.ts) with its result or an error message, under the job's
// sequence number.
import { parentPort } from 'node:worker_threads';
import { openBatch, sealBatch } from './chunk-jobs.ts';
import type { OpenJob, SealJob } from './chunk-jobs.ts';

export type WorkerRequest = { seq: number; seal: SealJob } | { seq: number; open: OpenJob };

const port = parentPort;
if (!port) throw new Error('chunk-worker.ts runs only as a worker thread.');
port.on('message', (msg: WorkerRequest) => {
  try {
    if ('seal' in msg) {
      const out = sealBatch(msg.seal);
      port.postMessage({ seq: msg.seq, out }, [out.blobs.buffer, out.lengths.buffer]);
    } else {
      const out = openBatch(msg.open);
      port.postMessage({ seq: msg.seq, out }, [out.data.buffer]);
    }
  } catch (e) {
    port.postMessage({ seq: msg.seq, error: e instanceof Error ? e.message : String(e) });
  }
});
