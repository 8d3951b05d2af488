// What becomes of a task whose worker was lost (src/jobs/lost-tasks.ts lostTaskAction): the kinds
// that are safe to run again are retried up to the attempt limit, then failed; restores and
// repairs are failed at once.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { lostTaskAction, MAX_TASK_ATTEMPTS } from '../../src/jobs/lost-tasks.ts';

test('backup, verify, maintenance and alert deliveries run again until the attempt limit, then fail', () => {
  for (const kind of ['backup', 'verify', 'maintenance', 'alertDelivery']) {
    for (let attempts = 1; attempts < MAX_TASK_ATTEMPTS; attempts++) assert.equal(lostTaskAction({ kind, attempts }), 'retry', `${kind} after ${attempts}`);
    assert.equal(lostTaskAction({ kind, attempts: MAX_TASK_ATTEMPTS }), 'fail', kind);
    assert.equal(lostTaskAction({ kind, attempts: 1 }, 1), 'fail', `${kind} with a limit of one attempt`);
  }
});

test('a restore or a repair whose worker was lost fails at once', () => {
  for (const kind of ['restore', 'repair']) assert.equal(lostTaskAction({ kind, attempts: 1 }), 'fail', kind);
});
