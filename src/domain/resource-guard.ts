// Resource guards (multi-user authorization, Azure's Microsoft.DataProtection/resourceGuards) and
// the vault critical operations they guard. A vault mapped to a guard (its
// backupResourceGuardProxies/DppResourceGuardProxy) performs a critical operation only for a caller
// who also holds, over the guard, a role allowing the operation's request action, unless the
// guard's exclusion list names the operation (the mandatory ones cannot be excluded). Pure.
import { errors } from './errors.ts';

export const RESOURCE_GUARD_TYPE = 'Microsoft.DataProtection/resourceGuards';
export const GUARD_PROXY_TYPE = 'Microsoft.DataProtection/backupVaults/backupResourceGuardProxies';
/** The one mapping name Azure allows per vault. */
export const GUARD_PROXY_NAME = 'DppResourceGuardProxy';

const DP = 'Microsoft.DataProtection';

export type CriticalOperationName = 'deleteProtection' | 'disableSoftDelete' | 'disableImmutability' | 'updatePolicy' | 'updateProtection' | 'deleteMapping';

export interface CriticalOperation {
  /** az's short name (what `--critical-operation-exclusion-list` also takes). */
  name: CriticalOperationName;
  /** Azure's vaultCriticalOperation string. */
  vaultCriticalOperation: string;
  /** The guard's request collection for it: the caller needs `{guard type}/{this}/write` over the guard. */
  requestResourceType: string;
  /** Mandatory operations cannot be excluded (Azure's "Disable MUA protection" and security features). */
  mandatory: boolean;
  /** What the refusal calls it. */
  description: string;
}

export const CRITICAL_OPERATIONS: readonly CriticalOperation[] = Object.freeze([
  {
    name: 'deleteProtection', vaultCriticalOperation: `${DP}/backupVaults/backupInstances/delete`,
    requestResourceType: `${RESOURCE_GUARD_TYPE}/deleteProtectedItemRequests`, mandatory: false, description: 'delete a backup instance',
  },
  {
    name: 'disableSoftDelete', vaultCriticalOperation: `${DP}/backupVaults/write#reduceSoftDeleteSecurity`,
    requestResourceType: `${RESOURCE_GUARD_TYPE}/disableSoftDeleteRequests`, mandatory: true, description: 'turn soft delete off or shorten its retention',
  },
  {
    name: 'disableImmutability', vaultCriticalOperation: `${DP}/backupVaults/write#reduceImmutabilitySecurity`,
    requestResourceType: `${RESOURCE_GUARD_TYPE}/disableSoftDeleteRequests`, mandatory: true, description: 'disable immutability',
  },
  {
    name: 'updatePolicy', vaultCriticalOperation: `${DP}/backupVaults/backupPolicies/write#reduceRetention`,
    requestResourceType: `${RESOURCE_GUARD_TYPE}/updateProtectionPolicyRequests`, mandatory: false, description: 'shorten the retention of a backup policy',
  },
  {
    name: 'updateProtection', vaultCriticalOperation: `${DP}/backupVaults/backupInstances/write#reduceRetention`,
    requestResourceType: `${RESOURCE_GUARD_TYPE}/updateProtectedItemRequests`, mandatory: false, description: 'move a backup instance to a policy with shorter retention',
  },
  {
    name: 'deleteMapping', vaultCriticalOperation: `${DP}/backupVaults/backupResourceGuardProxies/delete`,
    requestResourceType: `${RESOURCE_GUARD_TYPE}/deleteResourceGuardProxyRequests`, mandatory: true, description: 'remove the resource guard mapping',
  },
]);

export function criticalOperation(name: CriticalOperationName): CriticalOperation {
  return CRITICAL_OPERATIONS.find((o) => o.name === name)!;
}

/** The action a caller must hold over the guard to perform the operation. */
export const guardAction = (op: CriticalOperation): string => `${op.requestResourceType}/write`;

export interface ResourceGuard {
  id: string;
  name: string;
  type: typeof RESOURCE_GUARD_TYPE;
  location: string;
  tags: Record<string, string> | null;
  eTag: string | null;
  systemData: null;
  properties: {
    provisioningState: 'Succeeded';
    allowAutoApprovals: boolean;
    resourceGuardOperations: { vaultCriticalOperation: string; requestResourceType: string }[];
    vaultCriticalOperationExclusionList: string[];
    description: string | null;
  };
}

export interface ResourceGuardProxy {
  id: string;
  name: string;
  type: typeof GUARD_PROXY_TYPE;
  systemData: null;
  properties: {
    resourceGuardResourceId: string;
    resourceGuardOperationDetails: { vaultCriticalOperation: string; defaultResourceRequest: string }[];
    lastUpdatedTime: string;
    description: string | null;
  };
}

const NAME = /^[A-Za-z0-9][-A-Za-z0-9]{0,48}[A-Za-z0-9]$/;

export function checkResourceGuardName(name: string): void {
  if (!NAME.test(name)) {
    throw errors.resourceNameInvalid(`The resource guard name '${name}' is invalid: use 2 to 50 letters, digits and hyphens, starting and ending with a letter or digit.`);
  }
}

/**
 * Reads an exclusion list (Azure's vaultCriticalOperation strings or az's short names) into
 * vaultCriticalOperation strings; refuses unknown and mandatory operations.
 */
export function readExclusionList(value: unknown, target = 'properties.vaultCriticalOperationExclusionList'): string[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) throw errors.requestParameterInvalid(`${target} must be a list of critical operations.`, target);
  const out: string[] = [];
  for (const item of value) {
    const op = typeof item === 'string'
      ? CRITICAL_OPERATIONS.find((o) => o.name.toLowerCase() === item.toLowerCase() || o.vaultCriticalOperation.toLowerCase() === item.toLowerCase())
      : undefined;
    if (!op) {
      const known = CRITICAL_OPERATIONS.filter((o) => !o.mandatory).map((o) => `${o.name} (${o.vaultCriticalOperation})`).join(', ');
      throw errors.requestParameterInvalid(`'${String(item)}' is not a vault critical operation that can be excluded; the optional ones are ${known}.`, target);
    }
    if (op.mandatory) {
      throw errors.requestParameterInvalid(`The critical operation '${op.vaultCriticalOperation}' (${op.description}) is mandatory and cannot be excluded from the resource guard.`, target);
    }
    if (!out.includes(op.vaultCriticalOperation)) out.push(op.vaultCriticalOperation);
  }
  return out;
}

export function guardOperations(): ResourceGuard['properties']['resourceGuardOperations'] {
  return CRITICAL_OPERATIONS.map((o) => ({ vaultCriticalOperation: o.vaultCriticalOperation, requestResourceType: o.requestResourceType }));
}

export function proxyOperationDetails(guardId: string): ResourceGuardProxy['properties']['resourceGuardOperationDetails'] {
  return CRITICAL_OPERATIONS.map((o) => ({
    vaultCriticalOperation: o.vaultCriticalOperation,
    defaultResourceRequest: `${guardId}/${o.requestResourceType.split('/').pop()!}/default`,
  }));
}

/** Whether the guard leaves the operation to the vault's own roles. */
export function excluded(guard: ResourceGuard, op: CriticalOperation): boolean {
  return !op.mandatory && guard.properties.vaultCriticalOperationExclusionList.some((e) => e.toLowerCase() === op.vaultCriticalOperation.toLowerCase());
}

/** The security settings a vault update may lower. */
interface SecuritySettings {
  softDeleteSettings: { state: string; retentionDurationInDays: number };
  immutabilitySettings: { state: string };
}

/** The critical operations a change of a vault's security settings performs (none when it raises or keeps them). */
export function securityReductions(before: SecuritySettings, after: SecuritySettings): CriticalOperationName[] {
  const out: CriticalOperationName[] = [];
  const sdBefore = before.softDeleteSettings;
  const sdAfter = after.softDeleteSettings;
  const sdOn = (s: string) => s !== 'Off';
  if (sdOn(sdBefore.state) && (!sdOn(sdAfter.state) || sdAfter.retentionDurationInDays < sdBefore.retentionDurationInDays)) {
    out.push('disableSoftDelete');
  }
  if (before.immutabilitySettings.state !== 'Disabled' && after.immutabilitySettings.state === 'Disabled') out.push('disableImmutability');
  return out;
}
