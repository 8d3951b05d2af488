// What garbage collection holds per chunk of the repository while it decides (issue 14: at scale
// 100, `vault maintain` peaked at 410.7 MiB, ~600 bytes a chunk, for its mark and plan). The live
// set and each chunk's kept copy are fingerprint tables in typed arrays, and the index files'
// records pass through one pack at a time: measured as heap plus array buffers per chunk after a
// forced collection at the moment the plan is complete (everything the decision needs is alive
// then), never as times.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { after, before, test } from 'node:test';
import { GcPlanner } from '../../src/repository/gc-plan.ts';
import { Repository } from '../../src/repository/repository.ts';
import { streamOf, tempRepo, type RepoFixture } from './helpers.ts';

setFlagsFromString('--expose-gc');
// Bytecode of code idle for a few collections is dropped mid-measurement otherwise (see restore-memory.test.ts).
setFlagsFromString('--no-flush-bytecode');
const collect = runInNewContext('gc') as () => void;

/** Heap in use and array buffers after a full collection. */
function held(): number {
  collect();
  collect();
  const m = process.memoryUsage();
  return m.heapUsed + m.arrayBuffers;
}

/** Half-KiB chunks in small packs: many chunks from little data. */
const OPTS = { chunker: { min: 128, avg: 512, max: 2048 }, packSize: 1024 * 1024, frameBytes: 0 };

let fx: RepoFixture;
let chunks: number;

before(async () => {
  fx = await tempRepo(OPTS);
  const data = randomBytes(48 * 1024 * 1024);
  await fx.repo.backup(streamOf(data), { recoveryPointId: 'a' });
  // A second point sharing most chunks, as weekly backups do.
  for (let i = 0; i < data.length; i += 1024 * 1024) data.fill(i & 255, i, i + 64 * 1024);
  await fx.repo.backup(streamOf(data), { recoveryPointId: 'b' });
  chunks = (await fx.repo.stats()).chunks;
  assert.ok(chunks > 80_000, `${chunks} chunks`);
});
after(() => fx.cleanup());

test('gc holds its mark and plan in compact tables, not an object or a string per chunk', async () => {
  const repo = await Repository.open(fx.storage, fx.master, { clock: fx.clock });
  // A first gc compiles the code gc runs and rewrites the backups' index files as gc writes them.
  await repo.gc({ graceMs: 0 });
  let atPlan = -1;
  const finish = GcPlanner.prototype.finish;
  GcPlanner.prototype.finish = function (this: GcPlanner) {
    const plan = finish.call(this);
    atPlan = held();
    return plan;
  };
  try {
    const base = held();
    const report = await repo.gc({ graceMs: 0 });
    assert.equal(report.liveChunks, chunks);
    assert.equal(report.liveChunksMissing, 0);
    assert.ok(atPlan > 0, 'the plan was made');
    const perChunk = (atPlan - base) / chunks;
    // Two fingerprint tables of 21 bytes a slot, a quarter to three quarters full: 56 to 112
    // bytes a chunk. A Set of hex ids alone took ~110, the records as objects ~200 more.
    assert.ok(perChunk < 150, `gc held ${perChunk.toFixed(1)} bytes a chunk at its plan (${chunks} chunks)`);
  } finally {
    GcPlanner.prototype.finish = finish;
  }
});
