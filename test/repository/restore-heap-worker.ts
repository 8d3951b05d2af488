// Run as a worker thread by restore-memory.test.ts, with the server's small young generation:
// opens the repository at workerData.dir, restores workerData.manifestId six times into a sink that drops
// the bytes, and reports the highest JS heap in use seen (sampled every few ms) and the heap left
// after a full collection.
import { getHeapStatistics } from 'node:v8';
import { parentPort, workerData } from 'node:worker_threads';
import { Writable } from 'node:stream';
import { Repository } from '../../src/repository/repository.ts';
import { FsStorage } from '../../src/storage/fs.ts';
import { systemClock } from '../../src/util/clock.ts';

const { dir, master, manifestId, opts } = workerData as { dir: string; master: Uint8Array; manifestId: string; opts: Record<string, unknown> };
const repo = await Repository.open(new FsStorage(dir), Buffer.from(master), { ...opts, clock: systemClock });
const used = (): number => getHeapStatistics().used_heap_size;
const before = used();
let highest = before;
const sampler = setInterval(() => (highest = Math.max(highest, used())), 2);
let bytes = 0;
const sink = new Writable({
  write(chunk: Buffer, _enc, cb) {
    bytes += chunk.length;
    highest = Math.max(highest, used());
    cb();
  },
});
// Six restores one after another: what V8 leaves to collect later adds up over them.
for (let i = 0; i < 6; i++) await repo.restoreInto(manifestId, sink);
clearInterval(sampler);
parentPort!.postMessage({ before, highest, bytes });
