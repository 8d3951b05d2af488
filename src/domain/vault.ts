// The backup vault resource as the REST API shows it, and the pure rules of its settings.
import { invalid } from './errors.ts';
import { ownValue } from '../util/own-key.ts';

export const VAULT_TYPE = 'Microsoft.DataProtection/backupVaults';

export interface StorageSetting {
  datastoreType: string;
  type: string;
}

export interface VaultProperties {
  provisioningState: string;
  storageSettings: StorageSetting[];
  isVaultProtectedByResourceGuard: boolean;
  securitySettings: {
    softDeleteSettings: { state: string; retentionDurationInDays: number };
    immutabilitySettings: { state: string };
  };
  featureSettings: {
    crossRegionRestoreSettings: { state: string };
    crossSubscriptionRestoreSettings: { state: string };
  };
  monitoringSettings: { azureMonitorAlertSettings: { alertsForAllJobFailures: string } };
  secureScore: string;
  bcdrSecurityLevel: string;
  replicatedRegions: string[];
  resourceGuardOperationRequests?: string[];
}

export interface BackupVault {
  id: string;
  name: string;
  type: string;
  location: string;
  resourceGroup: string;
  tags: Record<string, string> | null;
  eTag: string | null;
  systemData: null;
  identity: { type: string; principalId?: string; tenantId?: string } | null;
  properties: VaultProperties;
}

const DATASTORE_TYPES = ['ArchiveStore', 'OperationalStore', 'VaultStore'];
const REDUNDANCY = ['GeoRedundant', 'LocallyRedundant', 'ZoneRedundant'];
/** Accepted spellings of each setting; the service's published examples send "Enabled" for soft delete. */
const SOFT_DELETE: Record<string, string> = { off: 'Off', on: 'On', alwayson: 'AlwaysOn', enabled: 'On', disabled: 'Off' };
const IMMUTABILITY: Record<string, string> = { disabled: 'Disabled', unlocked: 'Unlocked', locked: 'Locked', enabled: 'Unlocked' };
const CRR: Record<string, string> = { disabled: 'Disabled', enabled: 'Enabled' };
const CSR: Record<string, string> = { disabled: 'Disabled', enabled: 'Enabled', permanentlydisabled: 'PermanentlyDisabled' };
const ALERTS: Record<string, string> = { enabled: 'Enabled', disabled: 'Disabled' };
const IDENTITY: Record<string, string> = { systemassigned: 'SystemAssigned', none: 'None' };

export const VAULT_NAME = /^[A-Za-z][-A-Za-z0-9]*[A-Za-z0-9]$/;

export function checkVaultName(name: string): void {
  if (name.length < 2 || name.length > 50 || !VAULT_NAME.test(name)) {
    throw invalid(
      'InvalidResourceName',
      `The vault name '${name}' is invalid: use 2 to 50 letters, digits and hyphens, starting with a letter and ending with a letter or digit.`,
    );
  }
}

export function pickEnum(table: Record<string, string>, value: unknown, field: string): string {
  const v = typeof value === 'string' ? ownValue(table, value.toLowerCase()) : undefined;
  if (!v) {
    const allowed = [...new Set(Object.values(table))].join(', ');
    throw invalid('UserErrorInvalidRequestParameter', `'${String(value)}' is not a valid value for ${field}. Allowed values: ${allowed}.`, field);
  }
  return v;
}

export function normaliseStorageSettings(value: unknown): StorageSetting[] {
  if (!Array.isArray(value) || value.length === 0) {
    throw invalid('UserErrorInvalidRequestParameter', 'properties.storageSettings must list at least one datastore and its redundancy.', 'properties.storageSettings');
  }
  const seen = new Set<string>();
  return value.map((s, i) => {
    const o = (s ?? {}) as Record<string, unknown>;
    const datastoreType = pickEnum(Object.fromEntries(DATASTORE_TYPES.map((d) => [d.toLowerCase(), d])), o.datastoreType, `properties.storageSettings[${i}].datastoreType`);
    const type = pickEnum(Object.fromEntries(REDUNDANCY.map((d) => [d.toLowerCase(), d])), o.type, `properties.storageSettings[${i}].type`);
    if (seen.has(datastoreType)) {
      throw invalid('UserErrorInvalidRequestParameter', `properties.storageSettings lists ${datastoreType} twice.`, 'properties.storageSettings');
    }
    seen.add(datastoreType);
    return { datastoreType, type };
  });
}

type Settings = Pick<VaultProperties, 'securitySettings' | 'featureSettings' | 'monitoringSettings'>;

export const DEFAULT_SETTINGS: Settings = {
  securitySettings: { softDeleteSettings: { state: 'On', retentionDurationInDays: 14 }, immutabilitySettings: { state: 'Disabled' } },
  featureSettings: { crossRegionRestoreSettings: { state: 'Disabled' }, crossSubscriptionRestoreSettings: { state: 'Enabled' } },
  monitoringSettings: { azureMonitorAlertSettings: { alertsForAllJobFailures: 'Enabled' } },
};

/** Applies the settings a request carries over the current ones, refusing Azure's irreversible transitions. */
export function mergeSettings(current: Settings, props: Record<string, unknown>): Settings {
  const out: Settings = structuredClone(current);
  const sec = (props.securitySettings ?? {}) as Record<string, Record<string, unknown> | undefined>;
  const feat = (props.featureSettings ?? {}) as Record<string, Record<string, unknown> | undefined>;
  const mon = (props.monitoringSettings ?? {}) as Record<string, Record<string, unknown> | undefined>;
  const sd = sec.softDeleteSettings;
  if (sd?.state !== undefined && sd.state !== null) {
    const next = pickEnum(SOFT_DELETE, sd.state, 'properties.securitySettings.softDeleteSettings.state');
    if (current.securitySettings.softDeleteSettings.state === 'AlwaysOn' && next !== 'AlwaysOn') {
      throw invalid(
        'UserErrorInvalidSoftDeleteStateChange',
        `Soft delete is AlwaysOn for this vault and cannot be changed to ${next}: the AlwaysOn state is irreversible.`,
        'properties.securitySettings.softDeleteSettings.state',
      );
    }
    out.securitySettings.softDeleteSettings.state = next;
  }
  if (sd?.retentionDurationInDays !== undefined && sd.retentionDurationInDays !== null) {
    const days = Number(sd.retentionDurationInDays);
    if (!Number.isFinite(days) || days < 14 || days > 180) {
      throw invalid(
        'UserErrorInvalidRequestParameter',
        `Soft delete retention must be between 14 and 180 days; got ${String(sd.retentionDurationInDays)}.`,
        'properties.securitySettings.softDeleteSettings.retentionDurationInDays',
      );
    }
    out.securitySettings.softDeleteSettings.retentionDurationInDays = days;
  }
  const im = sec.immutabilitySettings;
  if (im?.state !== undefined && im.state !== null) {
    const next = pickEnum(IMMUTABILITY, im.state, 'properties.securitySettings.immutabilitySettings.state');
    if (current.securitySettings.immutabilitySettings.state === 'Locked' && next !== 'Locked') {
      throw invalid(
        'UserErrorUnsupportedVaultImmutabilityStateChange',
        `Immutability is Locked for this vault and cannot be changed to ${next}: locking is irreversible.`,
        'properties.securitySettings.immutabilitySettings.state',
      );
    }
    out.securitySettings.immutabilitySettings.state = next;
  }
  const crr = feat.crossRegionRestoreSettings;
  if (crr?.state !== undefined && crr.state !== null) {
    const next = pickEnum(CRR, crr.state, 'properties.featureSettings.crossRegionRestoreSettings.state');
    if (current.featureSettings.crossRegionRestoreSettings.state === 'Enabled' && next !== 'Enabled') {
      throw invalid(
        'UserErrorCrossRegionRestoreCannotBeDisabled',
        'Cross region restore is Enabled for this vault and cannot be disabled once enabled.',
        'properties.featureSettings.crossRegionRestoreSettings.state',
      );
    }
    out.featureSettings.crossRegionRestoreSettings.state = next;
  }
  const csr = feat.crossSubscriptionRestoreSettings;
  if (csr?.state !== undefined && csr.state !== null) {
    const next = pickEnum(CSR, csr.state, 'properties.featureSettings.crossSubscriptionRestoreSettings.state');
    if (current.featureSettings.crossSubscriptionRestoreSettings.state === 'PermanentlyDisabled' && next !== 'PermanentlyDisabled') {
      throw invalid(
        'UserErrorCrossSubscriptionRestoreStateChange',
        'Cross subscription restore is PermanentlyDisabled for this vault; that state is irreversible.',
        'properties.featureSettings.crossSubscriptionRestoreSettings.state',
      );
    }
    out.featureSettings.crossSubscriptionRestoreSettings.state = next;
  }
  const alerts = mon.azureMonitorAlertSettings;
  if (alerts?.alertsForAllJobFailures !== undefined && alerts.alertsForAllJobFailures !== null) {
    out.monitoringSettings.azureMonitorAlertSettings.alertsForAllJobFailures = pickEnum(
      ALERTS,
      alerts.alertsForAllJobFailures,
      'properties.monitoringSettings.azureMonitorAlertSettings.alertsForAllJobFailures',
    );
  }
  return out;
}

export function normaliseIdentityType(value: unknown): string {
  return pickEnum(IDENTITY, value, 'identity.type');
}
