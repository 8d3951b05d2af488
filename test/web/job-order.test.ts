// The Backup center's pure parts: the job list's order (failed first, then running, newest first
// within each), a job's progress as the API reports it, and where recovery points sit on a timeline.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { failuresFirst, progressOf } from '../../src/web/job-order.ts';
import { placePoints, tierOf } from '../../src/web/timeline.ts';
import type { Job, RecoveryPoint } from '../../src/web/resources.ts';

const job = (name: string, status: string, startTime: string, details: Record<string, string> | null = null): Job =>
  ({ id: name, name, properties: { status, startTime, extendedInfo: { subTasks: [{ additionalDetails: details }] } } }) as unknown as Job;

test('failed jobs come first even when older, then running ones, then the rest, newest first', () => {
  const jobs = [
    job('done-new', 'Completed', '2026-01-05T00:00:00Z'),
    job('failed-old', 'Failed', '2026-01-01T00:00:00Z'),
    job('running', 'InProgress', '2026-01-06T00:00:00Z'),
    job('done-old', 'Completed', '2026-01-02T00:00:00Z'),
    job('failed-new', 'Failed', '2026-01-03T00:00:00Z'),
  ];
  assert.deepEqual(failuresFirst(jobs).map((j) => j.name), ['failed-new', 'failed-old', 'running', 'done-new', 'done-old']);
});

test("a job's progress: the subtask's percentage while running, 100 once completed, none when unreported", () => {
  assert.equal(progressOf(job('a', 'InProgress', '2026-01-01T00:00:00Z', { ProgressPercentage: '42.5' })), 42.5);
  assert.equal(progressOf(job('b', 'Completed', '2026-01-01T00:00:00Z')), 100);
  assert.equal(progressOf(job('c', 'InProgress', '2026-01-01T00:00:00Z')), null);
});

test('recovery points spread over the timeline by time, coloured by the tier they live in', () => {
  const rp = (time: string, types: string[]) =>
    ({ id: time, name: time, properties: { recoveryPointTime: time, recoveryPointDataStoresDetails: types.map((type) => ({ type })) } }) as unknown as RecoveryPoint;
  const placed = placePoints([rp('2026-01-01T00:00:00Z', ['ArchiveStore']), rp('2026-01-03T00:00:00Z', ['VaultStore']), rp('2026-01-02T00:00:00Z', ['VaultStore', 'ArchiveStore'])]);
  assert.deepEqual(placed.map((p) => [p.x, p.tier]), [[0, 'ArchiveStore'], [1, 'VaultStore'], [0.5, 'ArchiveStore']]);
  assert.equal(tierOf(rp('2026-01-01T00:00:00Z', [])), 'VaultStore');
  assert.equal(placePoints([rp('2026-01-01T00:00:00Z', ['VaultStore'])])[0]!.x, 0.5, 'one point sits in the middle');
});
