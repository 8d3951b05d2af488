// How a backup's end shows on its backup instance: a failure becomes a ProtectionError with the
// job's error as a UserFacingError, a later success clears it, and a state the user chose
// (suspended, stopped) keeps its status while the error is still recorded.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { BackupInstanceProperties } from '../../src/domain/backup-instance.ts';
import type { JobResource } from '../../src/domain/job.ts';
import { protectionAfterBackup } from '../../src/services/protection-health.ts';

const props = (state: string, status: string, errorDetails: unknown = null) =>
  ({ currentProtectionState: state, protectionStatus: { status, errorDetails }, protectionErrorDetails: errorDetails }) as BackupInstanceProperties;
const job = (status: 'Completed' | 'Failed', error?: { code: string; message: string }) =>
  ({
    id: '/subscriptions/s/resourceGroups/rg/providers/Microsoft.DataProtection/backupVaults/v/backupJobs/j1',
    name: 'j1',
    properties: {
      status, activityID: 'a1', operation: 'Backup', startTime: '2026-12-06T22:00:00.000Z', endTime: '2026-12-06T22:01:00.000Z',
      errorDetails: error ? [error] : null,
    },
  }) as unknown as JobResource;
const AUTH = { code: 'UserErrorDBUserAuthFailed', message: 'The server rejected user "u".' };

describe('protectionAfterBackup', () => {
  it('a failed backup of a configured instance is a ProtectionError carrying the job error', () => {
    const change = protectionAfterBackup(props('ProtectionConfigured', 'ProtectionConfigured'), job('Failed', AUTH))!;
    assert.equal(change.protectionStatus.status, 'ProtectionError');
    assert.deepEqual(change.protectionErrorDetails, change.protectionStatus.errorDetails);
    assert.deepEqual(change.protectionErrorDetails, {
      code: AUTH.code, message: AUTH.message, recommendedAction: [`See the failed job: dpvault job show --ids ${job('Failed').id}`],
      details: null, innerError: null, isRetryable: true, isUserError: true, target: '',
      properties: { ActivityId: 'a1', JobId: job('Failed').id, JobStatus: 'Failed', JobStartTime: '2026-12-06T22:00:00.000Z', JobEndTime: '2026-12-06T22:01:00.000Z' },
    });
  });

  it('a suspended instance keeps its status but records the error', () => {
    const change = protectionAfterBackup(props('BackupsSuspended', 'ProtectionStopped'), job('Failed', { code: 'InternalError', message: 'x' }))!;
    assert.equal(change.protectionStatus.status, 'ProtectionStopped');
    assert.equal((change.protectionErrorDetails as { isUserError: boolean }).isUserError, false);
  });

  it('a completed backup clears a recorded error, and changes nothing when there is none', () => {
    const failed = protectionAfterBackup(props('ProtectionConfigured', 'ProtectionConfigured'), job('Failed', AUTH))!;
    const errored = props('ProtectionConfigured', 'ProtectionError', failed.protectionErrorDetails);
    assert.deepEqual(protectionAfterBackup(errored, job('Completed')), {
      protectionStatus: { status: 'ProtectionConfigured', errorDetails: null }, protectionErrorDetails: null,
    });
    assert.equal(protectionAfterBackup(props('ProtectionConfigured', 'ProtectionConfigured'), job('Completed')), null);
  });
});
