// The vault's changeable settings: each irreversible state refuses every change away from it with
// Azure's code, the message and the field; other changes apply; a request's settings are checked in
// one fixed order, so a request with two mistakes always reports the same one.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { DpError } from '../../src/domain/errors.ts';
import { DEFAULT_SETTINGS, mergeSettings } from '../../src/domain/vault.ts';

type Settings = typeof DEFAULT_SETTINGS;

const nested = (path: string, value: unknown): Record<string, unknown> =>
  path.split('.').reduceRight<unknown>((v, k) => ({ [k]: v }), value) as Record<string, unknown>;

function refused(current: Settings, props: Record<string, unknown>): { code: string; message: string; target: string | null } {
  try {
    mergeSettings(current, props);
  } catch (e) {
    assert.ok(e instanceof DpError);
    assert.equal(e.kind, 'invalid');
    return { code: e.code, message: e.message, target: e.target };
  }
  assert.fail(`accepted ${JSON.stringify(props)}`);
}

const IRREVERSIBLE = [
  {
    path: 'securitySettings.softDeleteSettings.state', final: 'AlwaysOn', other: 'off', otherShown: 'Off',
    code: 'UserErrorInvalidSoftDeleteStateChange',
    message: 'Soft delete is AlwaysOn for this vault and cannot be changed to Off: the AlwaysOn state is irreversible.',
  },
  {
    path: 'securitySettings.immutabilitySettings.state', final: 'Locked', other: 'enabled', otherShown: 'Unlocked',
    code: 'UserErrorUnsupportedVaultImmutabilityStateChange',
    message: 'Immutability is Locked for this vault and cannot be changed to Unlocked: locking is irreversible.',
  },
  {
    path: 'featureSettings.crossRegionRestoreSettings.state', final: 'Enabled', other: 'Disabled', otherShown: 'Disabled',
    code: 'UserErrorCrossRegionRestoreCannotBeDisabled',
    message: 'Cross region restore is Enabled for this vault and cannot be disabled once enabled.',
  },
  {
    path: 'featureSettings.crossSubscriptionRestoreSettings.state', final: 'PermanentlyDisabled', other: 'Enabled', otherShown: 'Enabled',
    code: 'UserErrorCrossSubscriptionRestoreStateChange',
    message: 'Cross subscription restore is PermanentlyDisabled for this vault; that state is irreversible.',
  },
];

function read(s: Settings, path: string): unknown {
  return path.split('.').reduce<unknown>((v, k) => (v as Record<string, unknown>)[k], s);
}

describe('vault settings', () => {
  for (const t of IRREVERSIBLE) {
    it(`${t.path}: ${t.final} is final`, () => {
      const reached = mergeSettings(DEFAULT_SETTINGS, nested(t.path, t.final.toLowerCase()));
      assert.equal(read(reached, t.path), t.final);
      assert.deepEqual(refused(reached, nested(t.path, t.other)), { code: t.code, message: t.message, target: `properties.${t.path}` });
      // Asking for the final state again, or for nothing, is no change.
      assert.deepEqual(mergeSettings(reached, nested(t.path, t.final)), reached);
      assert.deepEqual(mergeSettings(reached, nested(t.path, null)), reached);
      // Before it is reached, the other state is an ordinary change, in its canonical spelling.
      assert.equal(read(mergeSettings(DEFAULT_SETTINGS, nested(t.path, t.other)), t.path), t.otherShown);
    });
  }

  it('applies retention days and alerts, and leaves the current settings untouched', () => {
    const before = structuredClone(DEFAULT_SETTINGS);
    const next = mergeSettings(DEFAULT_SETTINGS, {
      securitySettings: { softDeleteSettings: { retentionDurationInDays: '30' } },
      monitoringSettings: { azureMonitorAlertSettings: { alertsForAllJobFailures: 'DISABLED' } },
    });
    assert.equal(next.securitySettings.softDeleteSettings.retentionDurationInDays, 30);
    assert.equal(next.securitySettings.softDeleteSettings.state, 'On');
    assert.equal(next.monitoringSettings.azureMonitorAlertSettings.alertsForAllJobFailures, 'Disabled');
    assert.deepEqual(DEFAULT_SETTINGS, before);
  });

  it('refuses bad values with the field they came in', () => {
    assert.deepEqual(refused(DEFAULT_SETTINGS, nested('securitySettings.softDeleteSettings.retentionDurationInDays', 7)), {
      code: 'UserErrorInvalidRequestParameter',
      message: 'Soft delete retention must be between 14 and 180 days; got 7.',
      target: 'properties.securitySettings.softDeleteSettings.retentionDurationInDays',
    });
    assert.deepEqual(refused(DEFAULT_SETTINGS, nested('monitoringSettings.azureMonitorAlertSettings.alertsForAllJobFailures', 'Sometimes')), {
      code: 'UserErrorInvalidRequestParameter',
      message: "'Sometimes' is not a valid value for properties.monitoringSettings.azureMonitorAlertSettings.alertsForAllJobFailures. Allowed values: Enabled, Disabled.",
      target: 'properties.monitoringSettings.azureMonitorAlertSettings.alertsForAllJobFailures',
    });
  });

  it('ignores settings groups that are not objects', () => {
    assert.deepEqual(mergeSettings(DEFAULT_SETTINGS, { securitySettings: 'On', featureSettings: { crossRegionRestoreSettings: 7 } }), DEFAULT_SETTINGS);
  });

  it('reports the first mistake in a fixed order: soft delete, its retention, immutability, restores, alerts', () => {
    const locked = mergeSettings(DEFAULT_SETTINGS, nested('securitySettings.immutabilitySettings.state', 'Locked'));
    const all = {
      securitySettings: { softDeleteSettings: { state: 'bogus', retentionDurationInDays: 5 }, immutabilitySettings: { state: 'Disabled' } },
      monitoringSettings: { azureMonitorAlertSettings: { alertsForAllJobFailures: 'Sometimes' } },
    };
    assert.match(refused(locked, all).target!, /softDeleteSettings\.state$/);
    all.securitySettings.softDeleteSettings.state = 'On';
    assert.match(refused(locked, all).target!, /retentionDurationInDays$/);
    all.securitySettings.softDeleteSettings.retentionDurationInDays = 20;
    assert.equal(refused(locked, all).code, 'UserErrorUnsupportedVaultImmutabilityStateChange');
    all.securitySettings.immutabilitySettings.state = 'Locked';
    assert.match(refused(locked, all).target!, /alertsForAllJobFailures$/);
  });
});
