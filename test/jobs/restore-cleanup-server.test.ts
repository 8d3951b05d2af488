// Start-up recovery of a restore as a server that a stop interrupted: it is not undone (only a
// failure while the job runs drops what it made), so the job must say what may be left and
// where, never that nothing was kept.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { cleanUpInterruptedRestore } from '../../src/jobs/restore-cleanup.ts';
import { readRestoreRequest } from '../../src/domain/restore-request.ts';
import type { ServiceContext } from '../../src/services/context.ts';

test('an interrupted restore as a server names what may be left on the target', async () => {
  const serverId = '/subscriptions/s/resourceGroups/rg/providers/Microsoft.DBforPostgreSQL/flexibleServers/target';
  const request = readRestoreRequest({
    objectType: 'AzureBackupRecoveryPointBasedRestoreRequest', recoveryPointId: 'rp1', sourceDataStoreType: 'VaultStore',
    restoreTargetInfo: {
      objectType: 'RestoreTargetInfo', restoreLocation: 'westus',
      datasourceInfo: { objectType: 'Datasource', datasourceType: 'Microsoft.DBforPostgreSQL/flexibleServers', resourceID: serverId, resourceName: 'target', resourceType: 'Microsoft.DBforPostgreSQL/flexibleServers', resourceLocation: 'westus', resourceUri: '' },
    },
  });
  const jobId = '/subscriptions/s/resourceGroups/rg/providers/Microsoft.DataProtection/backupVaults/v/backupJobs/0123456789ab-cdef';
  const said = await cleanUpInterruptedRestore({} as ServiceContext, { jobId, recoveryPointId: 'rp1', instanceId: 'i', request, destination: serverId });
  assert.match(said, /flexible server 'target' was not removed/);
  assert.match(said, /Completed.*'Roles created'.*'Tablespaces created'.*<database>_dpvault_0123456789ab/);
});
