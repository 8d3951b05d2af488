// The vault settings options shared by `backup-vault create` and `update`, and how they become
// the request's properties.
import type { ArgSpec, ArgValues } from '../../command.ts';
import { tagsArg } from '../../common-args.ts';

export const vaultIdArgs = {
  resourceGroup: { names: ['--resource-group', '-g'], required: true, help: 'Name of resource group.' },
  vaultName: { names: ['--vault-name', '-v'], required: true, help: 'The name of the backup vault.' },
} satisfies Record<string, ArgSpec>;

export const settingArgs = {
  type: { names: ['--type'], help: 'The identity type: SystemAssigned or None.' },
  jobFailureAlerts: { names: ['--job-failure-alerts', '--azure-monitor-alerts-for-job-failures'], enum: ['Disabled', 'Enabled'], help: 'Whether built-in Azure Monitor alerts are raised for every failed job.' },
  crrState: { names: ['--crr-state', '--cross-region-restore-state'], enum: ['Disabled', 'Enabled'], help: 'Cross-region restore state; once enabled it cannot be disabled.' },
  csrState: { names: ['--csr-state', '--cross-subscription-restore-state'], enum: ['Disabled', 'Enabled', 'PermanentlyDisabled'], help: 'Cross-subscription restore state of the vault.' },
  immutabilityState: { names: ['--immutability-state'], enum: ['Disabled', 'Locked', 'Unlocked'], help: 'Immutability state of the vault.' },
  softDeleteState: { names: ['--soft-delete-state'], enum: ['AlwaysOn', 'Off', 'On'], help: 'State of soft delete.' },
  softDeleteRetention: { names: ['--soft-delete-retention', '--retention-duration-in-days'], type: 'float', help: 'Soft delete retention duration in days.' },
  tags: tagsArg,
} satisfies Record<string, ArgSpec>;

/** Writes the given settings into a vault document's properties (only what was given). */
export function applySettings(vault: { properties: Record<string, unknown>; identity?: unknown }, a: ArgValues): void {
  const p = vault.properties;
  const sec = ((p.securitySettings ??= {}) as Record<string, Record<string, unknown>>);
  const feat = ((p.featureSettings ??= {}) as Record<string, Record<string, unknown>>);
  if (a.softDeleteState !== undefined || a.softDeleteRetention !== undefined) {
    sec.softDeleteSettings = { ...(sec.softDeleteSettings ?? {}) };
    if (a.softDeleteState !== undefined) sec.softDeleteSettings.state = a.softDeleteState;
    if (a.softDeleteRetention !== undefined) sec.softDeleteSettings.retentionDurationInDays = a.softDeleteRetention;
  }
  if (a.immutabilityState !== undefined) sec.immutabilitySettings = { state: a.immutabilityState };
  if (a.crrState !== undefined) feat.crossRegionRestoreSettings = { state: a.crrState };
  if (a.csrState !== undefined) feat.crossSubscriptionRestoreSettings = { state: a.csrState };
  if (a.jobFailureAlerts !== undefined) p.monitoringSettings = { azureMonitorAlertSettings: { alertsForAllJobFailures: a.jobFailureAlerts } };
  if (a.type !== undefined) vault.identity = { type: a.type };
}
