// The one reader of a stored policy's rules: rules are told apart by objectType and joined by name
// without regard to case, as Azure does, in every place that reads them (the scheduler, the backup
// job, the on-demand backup's tag and the retention worker).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { resolveAdhocTag } from '../../src/services/adhoc-backup.ts';
import type { BackupPolicyProperties } from '../../src/domain/policy.ts';
import { DpError } from '../../src/domain/errors.ts';
import { backupRuleOf, backupScheduleOf, policyTimeZone, retentionRuleForTag, retentionRulesOf } from '../../src/policy/policy-rules.ts';
import { seedPolicy } from '../jobs/protected-fixture.ts';

/** The seed policy as another writer may have stored it: every objectType in its own casing. */
function oddlyCased(timeZone = 'Europe/Berlin'): { name: string; properties: BackupPolicyProperties } {
  const properties = seedPolicy();
  const backup = properties.policyRules[0]!;
  assert.equal(backup.objectType, 'AzureBackupRule');
  if (backup.objectType === 'AzureBackupRule') backup.trigger.schedule.timeZone = timeZone;
  const spellings = ['azurebackuprule', 'AZURERETENTIONRULE', 'azureRetentionRule'];
  properties.policyRules.forEach((r, i) => Object.assign(r, { objectType: spellings[i] }));
  return { name: 'pol', properties };
}

describe('the policy reader', () => {
  it('finds the backup and retention rules whatever the casing of their objectType', () => {
    const policy = oddlyCased();
    assert.equal(backupRuleOf(policy).name, 'BackupWeekly');
    assert.deepEqual(retentionRulesOf(policy).map((r) => r.name), ['Default', 'Monthly']);
    assert.equal(policyTimeZone(policy), 'Europe/Berlin');
    const schedule = backupScheduleOf(policy);
    assert.equal(schedule.ruleName, 'BackupWeekly');
    assert.equal(schedule.intervals.length, 3);
    assert.deepEqual(schedule.taggingCriteria.map((t) => t.tagInfo.tagName), ['Default', 'Monthly']);
  });

  it('joins a tag to its retention rule without regard to case, else the default rule', () => {
    const policy = oddlyCased();
    assert.equal(retentionRuleForTag(policy, 'monthly').name, 'Monthly');
    assert.equal(retentionRuleForTag(policy, 'Weekly').name, 'Default');
  });

  it('says which policy has no backup rule, or no rule for a tag', () => {
    const properties = seedPolicy();
    const noBackup = { name: 'broken', properties: { ...properties, policyRules: properties.policyRules.slice(1) } };
    assert.throws(() => backupRuleOf(noBackup), (e: unknown) => e instanceof DpError && e.code === 'UserErrorInvalidPolicy' && /'broken' has no AzureBackupRule/.test(e.message));
    assert.equal(policyTimeZone(noBackup), 'UTC');
    const noDefault = { name: 'broken', properties: { ...properties, policyRules: properties.policyRules.filter((r) => r.name !== 'Default') } };
    assert.throws(() => retentionRuleForTag(noDefault, 'Weekly'), /no retention rule for tag 'Weekly' and no default rule/);
  });

  it("an on-demand backup's tag is read from the same rules", () => {
    const policy = oddlyCased();
    assert.equal(resolveAdhocTag(policy, 'BackupWeekly', undefined), 'Default');
    assert.equal(resolveAdhocTag(policy, 'backupweekly', 'monthly'), 'Monthly');
    assert.equal(resolveAdhocTag(policy, 'MONTHLY', undefined), 'Monthly');
    assert.throws(() => resolveAdhocTag(policy, 'Hourly', undefined), /no rule named 'Hourly'.*--rule-name BackupWeekly.*Default\|Monthly/);
  });
});
