// A vault's storage over time from its records: the logical bytes of the recovery points alive at
// each instant (by their retention timelines, so an expired point stops counting), and the stored
// bytes only where a completed maintenance measured them, and now.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { JobResource } from '../../src/domain/job.ts';
import type { RecoveryPointResource } from '../../src/domain/recovery-point.ts';
import { storageHistory } from '../../src/services/storage-history.ts';

const point = (time: string, size: number, until: string | null): RecoveryPointResource =>
  ({
    properties: { recoveryPointTime: time },
    internal: { size, timeline: [{ dataStoreType: 'VaultStore', from: time, until, reason: 'test' }] },
  }) as unknown as RecoveryPointResource;

const job = (operation: string, status: string, endTime: string, stored: string | undefined): JobResource =>
  ({ properties: { operation, status, endTime, extendedInfo: { additionalDetails: stored === undefined ? null : { StoredBytes: stored } } } }) as unknown as JobResource;

test('logical bytes follow the points alive at each backup; stored bytes only where measured', () => {
  const points = [
    point('2026-01-01T00:00:00.000Z', 100, '2026-01-10T00:00:00.000Z'),
    point('2026-01-08T00:00:00.000Z', 200, null),
    point('2026-01-15T00:00:00.000Z', 300, null),
  ];
  const jobs = [
    job('Maintenance', 'Completed', '2026-01-12T00:00:00.000Z', '250'),
    job('Maintenance', 'Failed', '2026-01-13T00:00:00.000Z', '999'),
    job('Backup', 'Completed', '2026-01-14T00:00:00.000Z', '777'),
  ];
  assert.deepEqual(storageHistory(points, jobs, new Date('2026-01-20T00:00:00.000Z'), 420), [
    { time: '2026-01-01T00:00:00.000Z', logicalBytes: 100 },
    { time: '2026-01-08T00:00:00.000Z', logicalBytes: 300 },
    { time: '2026-01-12T00:00:00.000Z', logicalBytes: 200, storedBytes: 250 },
    { time: '2026-01-15T00:00:00.000Z', logicalBytes: 500 },
    { time: '2026-01-20T00:00:00.000Z', logicalBytes: 500, storedBytes: 420 },
  ]);
});

test('a vault with nothing yet has one sample, now', () => {
  assert.deepEqual(storageHistory([], [], new Date('2026-01-20T00:00:00.000Z'), 0), [{ time: '2026-01-20T00:00:00.000Z', logicalBytes: 0, storedBytes: 0 }]);
});
