// Key vault access policies: Azure's permission names per category, validation of the policies a
// request carries, the add/replace/remove updates of `vaults/{name}/accessPolicies/{kind}`, and
// the question the backup worker asks ("may this principal get secrets?"). Pure: no I/O.
import { errors } from '../domain/errors.ts';
import type { AccessPolicy, PermissionCategory, Permissions } from '../domain/key-vault.ts';

export const SECRET_PERMISSIONS = ['get', 'list', 'set', 'delete', 'backup', 'restore', 'recover', 'purge', 'all'] as const;
export const KEY_PERMISSIONS = [
  'encrypt', 'decrypt', 'wrapKey', 'unwrapKey', 'sign', 'verify', 'get', 'list', 'create', 'update', 'import', 'delete',
  'backup', 'restore', 'recover', 'purge', 'release', 'rotate', 'getrotationpolicy', 'setrotationpolicy', 'all',
] as const;
export const CERTIFICATE_PERMISSIONS = [
  'get', 'list', 'delete', 'create', 'import', 'update', 'managecontacts', 'getissuers', 'listissuers', 'setissuers',
  'deleteissuers', 'manageissuers', 'recover', 'purge', 'backup', 'restore', 'all',
] as const;
export const STORAGE_PERMISSIONS = [
  'get', 'list', 'delete', 'set', 'update', 'regeneratekey', 'recover', 'purge', 'backup', 'restore', 'setsas', 'listsas',
  'getsas', 'deletesas', 'all',
] as const;

const ALLOWED: Record<PermissionCategory, readonly string[]> = {
  keys: KEY_PERMISSIONS,
  secrets: SECRET_PERMISSIONS,
  certificates: CERTIFICATE_PERMISSIONS,
  storage: STORAGE_PERMISSIONS,
};
const CATEGORIES = Object.keys(ALLOWED) as PermissionCategory[];

export type AccessPolicyUpdateKind = 'add' | 'replace' | 'remove';
export const ACCESS_POLICY_UPDATE_KINDS: readonly AccessPolicyUpdateKind[] = ['add', 'replace', 'remove'];

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

const badValue = (path: string, value: unknown, hint = ''): never => {
  throw errors.keyVaultValueInvalid(path, value, hint);
};

function readPermissions(value: unknown, path: string): Permissions {
  const out: Permissions = { keys: [], secrets: [], certificates: [], storage: [] };
  if (value === undefined || value === null) return out;
  if (typeof value !== 'object' || Array.isArray(value)) return badValue(path, value, ' Expected an object with keys, secrets, certificates and storage lists.');
  for (const [rawKey, list] of Object.entries(value)) {
    const category = CATEGORIES.find((c) => c === rawKey.toLowerCase());
    if (!category) return badValue(`${path}.${rawKey}`, rawKey, ' The permission categories are keys, secrets, certificates and storage.');
    if (list === null || list === undefined) continue;
    if (!Array.isArray(list)) return badValue(`${path}.${category}`, list, ' Expected a list of permissions.');
    list.forEach((p: unknown, i) => {
      const hit = typeof p === 'string' ? ALLOWED[category].find((a) => a.toLowerCase() === p.toLowerCase()) : undefined;
      if (!hit) badValue(`${path}.${category}[${i}]`, p, ` The ${category} permissions are: ${ALLOWED[category].join(', ')}.`);
      else if (!out[category].includes(hit)) out[category].push(hit);
    });
  }
  return out;
}

/** Validates a list of access policies (a vault's, or an update's) and gives them Azure's canonical shape. */
export function readAccessPolicies(value: unknown, defaultTenantId: string, path = 'accessPolicies'): AccessPolicy[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) return badValue(path, value, ' Expected a list of access policies.');
  return value.map((entry: unknown, i) => {
    const at = `${path}[${i}]`;
    if (!entry || typeof entry !== 'object') return badValue(at, entry);
    const e = entry as Record<string, unknown>;
    const objectId = e.objectId;
    if (typeof objectId !== 'string' || !GUID.test(objectId)) {
      return badValue(`${at}.objectId`, objectId ?? null, ' An object id is the GUID of a principal, such as a backup vault\'s identity.principalId.');
    }
    const tenantId = e.tenantId ?? defaultTenantId;
    if (typeof tenantId !== 'string' || !GUID.test(tenantId)) return badValue(`${at}.tenantId`, tenantId);
    const applicationId = e.applicationId ?? null;
    if (applicationId !== null && (typeof applicationId !== 'string' || !GUID.test(applicationId))) return badValue(`${at}.applicationId`, applicationId);
    return { tenantId, objectId: objectId.toLowerCase(), applicationId, permissions: readPermissions(e.permissions, `${at}.permissions`) };
  });
}

const samePrincipal = (a: AccessPolicy, b: AccessPolicy) =>
  a.objectId.toLowerCase() === b.objectId.toLowerCase() && (a.applicationId ?? '').toLowerCase() === (b.applicationId ?? '').toLowerCase();

const isEmpty = (p: Permissions) => CATEGORIES.every((c) => p[c].length === 0);

/**
 * Applies an update to a vault's policies, as Azure's `accessPolicies/{operationKind}`:
 * `add` merges the permissions into the principal's entry (creating it), `replace` sets the
 * entry to exactly the given permissions, `remove` takes the given permissions away and drops the
 * entry once it grants nothing (an update entry listing no permissions drops it outright).
 */
export function updateAccessPolicies(current: readonly AccessPolicy[], kind: AccessPolicyUpdateKind, changes: readonly AccessPolicy[]): AccessPolicy[] {
  let out = current.map((p) => structuredClone(p));
  for (const change of changes) {
    const at = out.findIndex((p) => samePrincipal(p, change));
    const existing = at >= 0 ? out[at]! : undefined;
    if (kind === 'remove') {
      if (!existing) continue;
      if (isEmpty(change.permissions)) {
        out = out.filter((_, i) => i !== at);
        continue;
      }
      for (const c of CATEGORIES) existing.permissions[c] = existing.permissions[c].filter((p) => !change.permissions[c].includes(p));
      if (isEmpty(existing.permissions)) out = out.filter((_, i) => i !== at);
      continue;
    }
    if (!existing) {
      out.push(structuredClone(change));
      continue;
    }
    for (const c of CATEGORIES) {
      existing.permissions[c] = kind === 'replace' ? [...change.permissions[c]] : [...new Set([...existing.permissions[c], ...change.permissions[c]])];
    }
  }
  return out;
}

/** Whether some policy lets `objectId` use `permission` on secrets (`all` grants everything). */
export function grantsSecretPermission(policies: readonly AccessPolicy[], objectId: string, permission: (typeof SECRET_PERMISSIONS)[number]): boolean {
  return policies.some(
    (p) => p.objectId.toLowerCase() === objectId.toLowerCase() && p.permissions.secrets.some((s) => s === permission || s === 'all'),
  );
}

/** The secret permissions `keyvault create` gives its creator, as az gives the signed-in user. */
export const CREATOR_SECRET_PERMISSIONS = ['get', 'list', 'set', 'delete', 'backup', 'restore', 'recover', 'purge'] as const;

/** The policies of a new vault with its creator's entry added (unless the request already names the creator). */
export function withCreatorPolicy(policies: readonly AccessPolicy[], creator: { objectId: string; tenantId: string }): AccessPolicy[] {
  if (policies.some((p) => p.objectId.toLowerCase() === creator.objectId.toLowerCase())) return [...policies];
  const permissions: Permissions = { keys: [], secrets: [...CREATOR_SECRET_PERMISSIONS], certificates: [], storage: [] };
  return [...policies, { tenantId: creator.tenantId, objectId: creator.objectId.toLowerCase(), applicationId: null, permissions }];
}
