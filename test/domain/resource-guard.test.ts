// The pure rules of resource guards: which vault setting changes are critical operations, which
// operations an exclusion list may name, and which policy changes shorten retention.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DpError } from '../../src/domain/errors.ts';
import { CRITICAL_OPERATIONS, criticalOperation, excluded, readExclusionList, securityReductions, type ResourceGuard } from '../../src/domain/resource-guard.ts';
import { getDefaultPolicyTemplate } from '../../src/policy/template.ts';
import { shortenedRetention } from '../../src/policy/retention-change.ts';

const settings = (state: string, days: number, immutability = 'Disabled') => ({
  softDeleteSettings: { state, retentionDurationInDays: days }, immutabilitySettings: { state: immutability },
});

describe('resource guard rules', () => {
  it('names each lowering of soft delete or immutability, and nothing that keeps or raises them', () => {
    assert.deepEqual(securityReductions(settings('On', 30), settings('Off', 30)), ['disableSoftDelete']);
    assert.deepEqual(securityReductions(settings('AlwaysOn', 30), settings('AlwaysOn', 20)), ['disableSoftDelete']);
    assert.deepEqual(securityReductions(settings('On', 14, 'Unlocked'), settings('On', 14, 'Disabled')), ['disableImmutability']);
    assert.deepEqual(securityReductions(settings('On', 30, 'Unlocked'), settings('Off', 30, 'Disabled')), ['disableSoftDelete', 'disableImmutability']);
    assert.deepEqual(securityReductions(settings('On', 14), settings('On', 30, 'Locked')), []);
    assert.deepEqual(securityReductions(settings('Off', 30), settings('On', 14)), []);
    assert.deepEqual(securityReductions(settings('Off', 30), settings('Off', 14)), []);
  });

  it('reads exclusion lists by az short name or Azure operation, refusing unknown and mandatory operations', () => {
    assert.deepEqual(readExclusionList(['deleteProtection', 'Microsoft.DataProtection/backupVaults/backupInstances/delete']), ['Microsoft.DataProtection/backupVaults/backupInstances/delete']);
    assert.deepEqual(readExclusionList(undefined), []);
    for (const bad of [['deleteMapping'], ['disableSoftDelete'], ['nope'], 'deleteProtection', [3]]) {
      assert.throws(() => readExclusionList(bad), (e: unknown) => e instanceof DpError && e.code === 'UserErrorInvalidRequestParameter', JSON.stringify(bad));
    }
    const guard = { properties: { vaultCriticalOperationExclusionList: readExclusionList(['updatePolicy']) } } as ResourceGuard;
    assert.deepEqual(CRITICAL_OPERATIONS.filter((o) => excluded(guard, o)).map((o) => o.name), ['updatePolicy']);
    assert.equal(excluded(guard, criticalOperation('deleteProtection')), false);
  });

  it('finds a retention rule a policy change drops or shortens', () => {
    const policy = (duration: string | null) => {
      const properties = structuredClone(getDefaultPolicyTemplate('AzureDatabaseForPostgreSQL')) as any;
      if (duration === null) properties.policyRules = properties.policyRules.filter((r: any) => r.objectType !== 'AzureRetentionRule');
      else for (const r of properties.policyRules) for (const lc of r.lifecycles ?? []) lc.deleteAfter.duration = duration;
      return { name: 'p', properties };
    };
    assert.equal(shortenedRetention(policy('P3M'), policy('P3M')), null);
    assert.equal(shortenedRetention(policy('P3M'), policy('P1Y')), null);
    assert.equal(shortenedRetention(policy('P3M'), policy('P1M'))?.rule, 'Default');
    assert.equal(shortenedRetention(policy('P3M'), policy(null))?.to, 0);
  });
});
