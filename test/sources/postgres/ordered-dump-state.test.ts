// The key-ordered dump's state machine on its own: the phases an archive passes through, that a
// stop is remembered in any phase, that a settled dump stays settled, and whom a failure blames.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { blameFor, initialDumpState, isSettled, nextDumpState, type DumpEvent, type DumpState } from '../../../src/sources/postgres/ordered-dump-state.ts';

const run = (events: DumpEvent[], from: DumpState = initialDumpState): DumpState => events.reduce(nextDumpState, from);

test('an archive with tables to copy reads the head, copies, passes pg_dump through, and finishes', () => {
  const seen = [initialDumpState.phase];
  let s = initialDumpState;
  for (const e of [{ type: 'headRead', blocksToCopy: 2 }, { type: 'copyEnded' }, { type: 'archiveEnded' }] as DumpEvent[]) {
    s = nextDumpState(s, e);
    seen.push(s.phase);
  }
  assert.deepEqual(seen, ['readingHead', 'copying', 'passingDump', 'finished']);
  assert.equal(isSettled(s), true);
  assert.equal(s.stopped, false);
});

test('with nothing to copy the head leads straight to pg_dump\'s own blocks', () => {
  assert.equal(run([{ type: 'headRead', blocksToCopy: 0 }]).phase, 'passingDump');
});

test('events that do not apply in a phase leave it as it is', () => {
  assert.equal(run([{ type: 'copyEnded' }]).phase, 'readingHead');
  assert.equal(run([{ type: 'archiveEnded' }]).phase, 'readingHead');
  assert.equal(run([{ type: 'headRead', blocksToCopy: 1 }, { type: 'archiveEnded' }]).phase, 'copying');
  assert.equal(run([{ type: 'headRead', blocksToCopy: 1 }, { type: 'headRead', blocksToCopy: 0 }]).phase, 'copying');
});

test('a stop is remembered in every phase and does not move the phase', () => {
  for (const before of [[], [{ type: 'headRead', blocksToCopy: 1 }], [{ type: 'headRead', blocksToCopy: 0 }]] as DumpEvent[][]) {
    const s = run([...before, { type: 'stop' }]);
    assert.equal(s.stopped, true);
    assert.equal(s.phase, run(before).phase);
  }
});

test('a settled dump stays settled: a late failure does not turn success into failure, nor the reverse', () => {
  const finished = run([{ type: 'headRead', blocksToCopy: 0 }, { type: 'archiveEnded' }]);
  assert.equal(nextDumpState(finished, { type: 'fail' }).phase, 'finished');
  const failed = run([{ type: 'fail' }]);
  assert.equal(isSettled(failed), true);
  assert.equal(nextDumpState(failed, { type: 'archiveEnded' }).phase, 'failed');
  assert.equal(isSettled(initialDumpState), false);
});

test('whom a failure blames: cancelled when stopped, the copy while it ran, else pg_dump when it failed', () => {
  const copying = run([{ type: 'headRead', blocksToCopy: 1 }]);
  const passing = run([{ type: 'headRead', blocksToCopy: 0 }]);
  assert.equal(blameFor(nextDumpState(copying, { type: 'stop' }), false), 'cancelled');
  assert.equal(blameFor(nextDumpState(copying, { type: 'stop' }), true), 'dump');
  assert.equal(blameFor(copying, true), 'copy');
  assert.equal(blameFor(copying, false), 'copy');
  assert.equal(blameFor(passing, true), 'dump');
  assert.equal(blameFor(passing, false), 'copy');
  assert.equal(blameFor(initialDumpState, true), 'dump');
});
