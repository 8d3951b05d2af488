// The audit log's pure rules: Azure's operation names and resource ids of request paths, the
// activity log's $filter, and az's query window.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { operationNameOf, resourceGroupOf, resourceOfPath } from '../../src/domain/audit.ts';
import { readActivityFilter } from '../../src/services/audit.ts';
import { activityWindow, offsetMs } from '../../src/cli/commands/monitor/index.ts';
import { DpError } from '../../src/domain/errors.ts';

const V = '/subscriptions/s/resourceGroups/rg/providers/Microsoft.DataProtection/backupVaults/v';

describe('operation names', () => {
  it('name writes, deletes and actions as the activity log does', () => {
    assert.equal(operationNameOf('PUT', V), 'Microsoft.DataProtection/backupVaults/write');
    assert.equal(operationNameOf('patch', V), 'Microsoft.DataProtection/backupVaults/write');
    assert.equal(operationNameOf('DELETE', `${V}/backupInstances/bi`), 'Microsoft.DataProtection/backupVaults/backupInstances/delete');
    assert.equal(operationNameOf('POST', `${V}/backupInstances/bi/stopProtection`), 'Microsoft.DataProtection/backupVaults/backupInstances/stopProtection/action');
    assert.equal(operationNameOf('POST', `${V}/deletedBackupInstances/bi/undelete`), 'Microsoft.DataProtection/backupVaults/deletedBackupInstances/undelete/action');
    assert.equal(operationNameOf('DELETE', '/subscriptions/s/resourcegroups/rg'), 'Microsoft.Resources/subscriptions/resourceGroups/delete');
  });

  it('scope a call to the resource it acts on, without its action or query', () => {
    assert.deepEqual(resourceOfPath(`${V}/backupInstances/bi/restore?x=1`), {
      type: 'Microsoft.DataProtection/backupVaults/backupInstances', resourceId: `${V}/backupInstances/bi`, action: 'restore',
    });
    assert.equal(resourceOfPath('/subscriptions/s/resourcegroups/rg').resourceId, '/subscriptions/s/resourcegroups/rg');
    assert.equal(resourceGroupOf(`${V}/backupPolicies/p`), 'rg');
    assert.equal(resourceGroupOf('/subscriptions/s'), null);
  });
});

describe('the activity log filter', () => {
  it('reads az\'s conditions', () => {
    assert.deepEqual(
      readActivityFilter("eventTimestamp ge '2026-01-01T00:00:00Z' and eventTimestamp le '2026-01-02T00:00:00Z' and resourceGroupName eq 'rg' and caller eq 'Alice'", 's'),
      { scopePrefix: '/subscriptions/s/resourceGroups/rg', from: '2026-01-01T00:00:00.000Z', to: '2026-01-02T00:00:00.000Z', caller: 'Alice' },
    );
    assert.deepEqual(readActivityFilter(null, 's'), { scopePrefix: '/subscriptions/s' });
  });

  it('refuses what it does not understand with InvalidFilter', () => {
    for (const f of ["level eq 'Error'", "eventTimestamp ge 'yesterday'", 'caller eq Alice']) {
      assert.throws(() => readActivityFilter(f, 's'), (e: unknown) => e instanceof DpError && e.code === 'InvalidFilter' && e.status === 400, f);
    }
  });
});

describe('az\'s query window', () => {
  const now = Date.parse('2026-03-01T12:00:00Z');
  it('defaults to the last 6 hours and follows --offset from either end', () => {
    assert.deepEqual(activityWindow({}, now), { from: now - 6 * 3_600_000, to: now });
    assert.deepEqual(activityWindow({ startTime: '2026-03-01T00:00:00Z', offset: '1d2h' }, now), {
      from: Date.parse('2026-03-01T00:00:00Z'), to: Date.parse('2026-03-02T02:00:00Z'),
    });
    assert.deepEqual(activityWindow({ startTime: '2026-02-01T00:00:00Z', endTime: '2026-02-02T00:00:00Z', offset: '1h' }, now), {
      from: Date.parse('2026-02-01T00:00:00Z'), to: Date.parse('2026-02-02T00:00:00Z'),
    });
    assert.equal(offsetMs('2d'), 48 * 3_600_000);
    assert.throws(() => offsetMs('6 hours'), /##d##h/);
    assert.throws(() => activityWindow({ endTime: 'soon' }, now), /--end-time/);
  });
});
