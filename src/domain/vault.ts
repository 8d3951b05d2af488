// The backup vault resource as the REST API shows it, and the pure rules of its settings.
import { type DpError, errors } from './errors.ts';
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

/** Whether the vault's VaultStore is GeoRedundant: each recovery point is copied to its location's pair. */
export function isGeoRedundant(vault: Pick<BackupVault, 'properties'>): boolean {
  // Vaults stored before a setting existed may lack it.
  return (vault.properties.storageSettings ?? []).some((s) => s.datastoreType === 'VaultStore' && s.type === 'GeoRedundant');
}

export const VAULT_NAME = /^[A-Za-z][-A-Za-z0-9]*[A-Za-z0-9]$/;

export function checkVaultName(name: string): void {
  if (name.length < 2 || name.length > 50 || !VAULT_NAME.test(name)) {
    throw errors.resourceNameInvalid(
      `The vault name '${name}' is invalid: use 2 to 50 letters, digits and hyphens, starting with a letter and ending with a letter or digit.`,
    );
  }
}

export function pickEnum(table: Record<string, string>, value: unknown, field: string): string {
  const v = typeof value === 'string' ? ownValue(table, value.toLowerCase()) : undefined;
  if (!v) {
    const allowed = [...new Set(Object.values(table))].join(', ');
    throw errors.requestParameterInvalid(`'${String(value)}' is not a valid value for ${field}. Allowed values: ${allowed}.`, field);
  }
  return v;
}

export function normaliseStorageSettings(value: unknown): StorageSetting[] {
  if (!Array.isArray(value) || value.length === 0) {
    throw errors.requestParameterInvalid('properties.storageSettings must list at least one datastore and its redundancy.', 'properties.storageSettings');
  }
  const seen = new Set<string>();
  return value.map((s, i) => {
    const o = (s ?? {}) as Record<string, unknown>;
    const datastoreType = pickEnum(Object.fromEntries(DATASTORE_TYPES.map((d) => [d.toLowerCase(), d])), o.datastoreType, `properties.storageSettings[${i}].datastoreType`);
    const type = pickEnum(Object.fromEntries(REDUNDANCY.map((d) => [d.toLowerCase(), d])), o.type, `properties.storageSettings[${i}].type`);
    if (seen.has(datastoreType)) {
      throw errors.requestParameterInvalid(`properties.storageSettings lists ${datastoreType} twice.`, 'properties.storageSettings');
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

/** Where a changeable setting lives under `properties`: group, setting, field. */
type SettingPath = readonly [keyof Settings, string, string];
type SettingsTree = Record<string, Record<string, Record<string, string | number>>>;

interface SettingRule {
  path: SettingPath;
  /** The stored value for a requested one; throws a clear error for a bad one. */
  read: (value: unknown, field: string) => string | number;
  /** A state that, once reached, is final: Azure refuses every change away from it. */
  final?: { state: string; refused: (next: string | number, field: string) => DpError };
}

const oneOf = (table: Record<string, string>) => (value: unknown, field: string): string => pickEnum(table, value, field);

function retentionDays(value: unknown, field: string): number {
  const days = Number(value);
  if (!Number.isFinite(days) || days < 14 || days > 180) {
    throw errors.requestParameterInvalid(`Soft delete retention must be between 14 and 180 days; got ${String(value)}.`, field);
  }
  return days;
}

/** The settings a request may change, checked and applied in this order, with their irreversible states. */
const SETTING_RULES: readonly SettingRule[] = [
  {
    path: ['securitySettings', 'softDeleteSettings', 'state'],
    read: oneOf(SOFT_DELETE),
    final: {
      state: 'AlwaysOn',
      refused: errors.softDeleteAlwaysOn,
    },
  },
  { path: ['securitySettings', 'softDeleteSettings', 'retentionDurationInDays'], read: retentionDays },
  {
    path: ['securitySettings', 'immutabilitySettings', 'state'],
    read: oneOf(IMMUTABILITY),
    final: {
      state: 'Locked',
      refused: errors.immutabilityLocked,
    },
  },
  {
    path: ['featureSettings', 'crossRegionRestoreSettings', 'state'],
    read: oneOf(CRR),
    final: {
      state: 'Enabled',
      refused: (_next, field) => errors.crossRegionRestoreEnabled(field),
    },
  },
  {
    path: ['featureSettings', 'crossSubscriptionRestoreSettings', 'state'],
    read: oneOf(CSR),
    final: {
      state: 'PermanentlyDisabled',
      refused: (_next, field) => errors.crossSubscriptionRestoreDisabled(field),
    },
  },
  { path: ['monitoringSettings', 'azureMonitorAlertSettings', 'alertsForAllJobFailures'], read: oneOf(ALERTS) },
];

/** The value at `path` in a request's properties, or undefined where any step is not an object. */
function requested(props: Record<string, unknown>, path: SettingPath): unknown {
  let v: unknown = props;
  for (const key of path) v = v !== null && typeof v === 'object' ? (v as Record<string, unknown>)[key] : undefined;
  return v;
}

/** Applies the settings a request carries over the current ones, refusing Azure's irreversible transitions. */
export function mergeSettings(current: Settings, props: Record<string, unknown>): Settings {
  const out: Settings = structuredClone(current);
  const was: SettingsTree = current;
  const next: SettingsTree = out;
  for (const rule of SETTING_RULES) {
    const value = requested(props, rule.path);
    if (value === undefined || value === null) continue;
    const [group, setting, key] = rule.path;
    const field = `properties.${rule.path.join('.')}`;
    const v = rule.read(value, field);
    if (rule.final && was[group]![setting]![key] === rule.final.state && v !== rule.final.state) {
      throw rule.final.refused(v, field);
    }
    next[group]![setting]![key] = v;
  }
  return out;
}

export function normaliseIdentityType(value: unknown): string {
  return pickEnum(IDENTITY, value, 'identity.type');
}
