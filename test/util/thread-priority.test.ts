// A thread lowers its own priority and no other's; a backup's chunk workers run lowered, a
// restore's do not. Read back from the kernel's own record of each thread (/proc/self/task).
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { it } from 'node:test';
import { Worker } from 'node:worker_threads';
import { ChunkPool } from '../../src/repository/chunk-pool.ts';
import { sealBatch, sealHeadroom } from '../../src/repository/chunk-jobs.ts';
import { currentThreadId } from '../../src/util/thread-priority.ts';

const linux = existsSync('/proc/thread-self');

/** Each thread of this process and its nice value (field 19 of its stat line). */
function niceByThread(): Map<number, number> {
  const out = new Map<number, number>();
  for (const tid of readdirSync('/proc/self/task')) {
    const stat = readFileSync(`/proc/self/task/${tid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    out.set(Number(tid), Number(fields[16]));
  }
  return out;
}

it('a thread lowers its own priority and leaves the others alone', { skip: !linux && 'no /proc/thread-self here' }, async () => {
  const url = new URL('../../src/util/thread-priority.ts', import.meta.url).href;
  const before = niceByThread();
  const worker = new Worker(
    `const { parentPort } = require('node:worker_threads');
     import(${JSON.stringify(url)}).then(({ currentThreadId, lowerThreadPriority }) => {
       parentPort.postMessage({ tid: currentThreadId(), nice: lowerThreadPriority(5) });
       parentPort.on('message', () => {}); // alive until terminated, so its /proc entry is there to read
     });`,
    { eval: true },
  );
  try {
    const got = await new Promise<{ tid: number; nice: number }>((resolve, reject) => worker.once('message', resolve).once('error', reject));
    const threads = niceByThread();
    assert.equal(got.nice, 5);
    assert.equal(threads.get(got.tid), 5, 'the kernel has the worker at nice 5');
    assert.equal(threads.get(currentThreadId()!), 0, 'the main thread is untouched');
    // Threads that already ran are checked, not those started since: a thread the lowered worker
    // starts itself inherits its priority (the kernel copies it), which is not a change to another.
    const changed = [...before].filter(([tid, nice]) => tid !== got.tid && threads.has(tid) && threads.get(tid) !== nice);
    assert.deepEqual(changed, [], 'no thread that ran before the worker changed');
  } finally {
    await worker.terminate();
  }
});

it("a backup's chunk pool runs in the background; a restore's does not", { skip: !linux && 'no /proc/thread-self here' }, async () => {
  for (const background of [true, false]) {
    const before = new Set(niceByThread().keys());
    const pool = new ChunkPool(1, { background });
    try {
      const data = new Uint8Array(sealHeadroom(1) + 1000);
      const job = { level: 1, frameBytes: 0, seal: true, dataKey: new Uint8Array(32), data, start: sealHeadroom(1), lengths: Uint32Array.from([1000]), ids: new Uint8Array(32) };
      const expected = sealBatch({ ...job, data: new Uint8Array(data), lengths: Uint32Array.from([1000]), ids: new Uint8Array(32) });
      const out = await pool.seal(job);
      assert.equal(out.blobs.length, expected.blobs.length, 'the worker sealed the batch');
      const lowered = [...niceByThread()].filter(([tid, nice]) => !before.has(tid) && nice === 10);
      assert.equal(lowered.length, background ? 1 : 0, `threads at nice 10 with background ${background}`);
    } finally {
      await pool.close();
    }
  }
});
