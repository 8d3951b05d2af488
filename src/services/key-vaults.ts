// The built-in key vault: Microsoft.KeyVault/vaults with Azure's rules (global names, access
// policies), its secrets (each set is a new version, values sealed at rest), and resolveSecret,
// through which a backup vault's identity reads a connection string.
import type { Page } from '../catalog/catalog.ts';
import { errors } from '../domain/errors.ts';
import { readTags } from '../domain/tags.ts';
import { resourceGroupId } from '../domain/resource-id.ts';
import { KEY_VAULT_TYPE, type AccessPolicy, type KeyVault } from '../domain/key-vault.ts';
import {
  type AccessPolicyUpdateKind, ACCESS_POLICY_UPDATE_KINDS, grantsSecretPermission, readAccessPolicies, updateAccessPolicies, withCreatorPolicy,
} from '../secrets/access-policies.ts';
import {
  MAX_SECRET_BYTES, type SecretRecord, type SecretVersionRecord, checkKeyVaultName, checkSecretName,
  deletedSecretBundle, keyVaultUri, parseSecretUri, secretBundle, secretItem, secretVersionItem,
} from '../secrets/key-vault.ts';
import * as store from '../secrets/secret-store.ts';
import type { Caller } from './caller.ts';
import type { ServiceContext } from './context.ts';
import { getResourceGroup, listInGroup } from './resource-groups.ts';

export const keyVaultId = (sub: string, rg: string, name: string): string =>
  `${resourceGroupId(sub, rg)}/providers/Microsoft.KeyVault/vaults/${name}`;

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export async function getKeyVault(ctx: ServiceContext, sub: string, rg: string, name: string): Promise<KeyVault> {
  await getResourceGroup(ctx, sub, rg);
  const found = await ctx.catalog.getResource<KeyVault>(keyVaultId(sub, rg, name));
  if (!found) throw errors.resourceNotFoundInGroup(KEY_VAULT_TYPE, name, rg);
  return found.body;
}

/** Key vault names are global (they are DNS names): finds one by name alone. */
export async function findKeyVaultByName(ctx: ServiceContext, name: string): Promise<KeyVault | undefined> {
  const all = await ctx.catalog.listResources<KeyVault>({ type: KEY_VAULT_TYPE, idPrefix: `/subscriptions/${ctx.subscriptionId}/` });
  return all.items.map((r) => r.body).find((v) => v.name.toLowerCase() === name.toLowerCase());
}

/**
 * Creates or replaces a key vault from an ARM PUT body. A principal creating a vault gets an access
 * policy with every secret permission (as az gives the signed-in user), or it could not use it.
 */
export async function putKeyVault(ctx: ServiceContext & { caller?: Caller }, sub: string, rg: string, name: string, body: unknown): Promise<{ vault: KeyVault; created: boolean }> {
  const group = await getResourceGroup(ctx, sub, rg);
  checkKeyVaultName(name);
  const b = (body ?? {}) as Record<string, unknown>;
  if (typeof b.location !== 'string' || !b.location) {
    throw errors.locationRequired('location');
  }
  const location = b.location;
  const p = (b.properties && typeof b.properties === 'object' ? b.properties : {}) as Record<string, unknown>;
  return ctx.catalog.transaction(async () => {
    const id = keyVaultId(sub, group.name, name);
    const existing = (await ctx.catalog.getResource<KeyVault>(id))?.body;
    const namesake = existing ? undefined : await findKeyVaultByName(ctx, name);
    if (namesake) {
      throw errors.keyVaultNameTaken(
        `The vault name '${name}' is already in use. Vault names are globally unique (they form the vault's DNS name ${keyVaultUri(name)}), ` +
          `and '${namesake.name}' exists in resource group '${namesake.resourceGroup}'. Choose another name, or delete that vault first.`,
      );
    }
    if (existing && existing.location.toLowerCase() !== location.toLowerCase()) {
      throw errors.keyVaultRequestInvalid(`The key vault exists in location '${existing.location}'; its location cannot change.`, 'location');
    }
    const vault: KeyVault = {
      id: existing?.id ?? id,
      name: existing?.name ?? name,
      type: KEY_VAULT_TYPE,
      location: existing?.location ?? location,
      resourceGroup: group.name,
      tags: readTags(b.tags, errors.keyVaultRequestInvalid) ?? existing?.tags ?? {},
      systemData: null,
      properties: readProperties(ctx, existing?.name ?? name, p, existing),
    };
    if (!existing && ctx.caller?.kind === 'principal') {
      vault.properties.accessPolicies = withCreatorPolicy(vault.properties.accessPolicies, { objectId: ctx.caller.objectId, tenantId: vault.properties.tenantId });
    }
    await saveKeyVault(ctx, vault);
    return { vault, created: !existing };
  });
}

function readProperties(ctx: ServiceContext, name: string, p: Record<string, unknown>, existing: KeyVault | undefined): KeyVault['properties'] {
  const before = existing?.properties;
  const bool = (key: string, fallback: boolean): boolean => {
    const v = p[key];
    if (v === undefined || v === null) return fallback;
    if (typeof v !== 'boolean') throw errors.keyVaultRequestInvalid(`Invalid value found at properties.${key}: expected true or false.`, `properties.${key}`);
    return v;
  };
  const skuName = String((p.sku as { name?: unknown } | undefined)?.name ?? before?.sku.name ?? 'standard').toLowerCase();
  if (!isSku(skuName)) {
    throw errors.keyVaultRequestInvalid(`Invalid value found at properties.sku.name: ${skuName}. The SKUs are standard and premium.`, 'properties.sku.name');
  }
  const tenantId = p.tenantId ?? before?.tenantId ?? ctx.tenantId;
  if (typeof tenantId !== 'string' || !GUID.test(tenantId)) throw errors.keyVaultRequestInvalid('Invalid value found at properties.tenantId: expected a GUID.', 'properties.tenantId');
  if (bool('enableRbacAuthorization', false)) {
    throw errors.keyVaultRequestInvalid(
      "dpvault's key vaults authorize with access policies only: leave enableRbacAuthorization false and grant access with 'dpvault keyvault set-policy'.",
      'properties.enableRbacAuthorization',
    );
  }
  const days = p.softDeleteRetentionInDays ?? before?.softDeleteRetentionInDays ?? 90;
  if (typeof days !== 'number' || !Number.isInteger(days) || days < 7 || days > 90) {
    throw errors.keyVaultRequestInvalid('properties.softDeleteRetentionInDays must be a whole number of days from 7 to 90.', 'properties.softDeleteRetentionInDays');
  }
  const purgeProtection = bool('enablePurgeProtection', before?.enablePurgeProtection ?? false);
  if (before?.enablePurgeProtection && !purgeProtection) {
    throw errors.keyVaultRequestInvalid('Purge protection cannot be disabled once it is enabled on a key vault.', 'properties.enablePurgeProtection');
  }
  return {
    sku: { family: 'A', name: skuName },
    tenantId,
    accessPolicies: p.accessPolicies !== undefined ? readAccessPolicies(p.accessPolicies, tenantId, 'properties.accessPolicies') : before?.accessPolicies ?? [],
    vaultUri: keyVaultUri(name),
    enabledForDeployment: bool('enabledForDeployment', before?.enabledForDeployment ?? false),
    enabledForDiskEncryption: bool('enabledForDiskEncryption', before?.enabledForDiskEncryption ?? false),
    enabledForTemplateDeployment: bool('enabledForTemplateDeployment', before?.enabledForTemplateDeployment ?? false),
    enableSoftDelete: true,
    softDeleteRetentionInDays: days,
    enableRbacAuthorization: false,
    enablePurgeProtection: purgeProtection ? true : null,
    publicNetworkAccess: 'Enabled',
    networkAcls: null,
    provisioningState: 'Succeeded',
    createMode: null,
    hsmPoolResourceId: null,
    privateEndpointConnections: null,
  };
}

async function saveKeyVault(ctx: ServiceContext, vault: KeyVault): Promise<void> {
  const sub = vault.id.split('/')[2]!;
  await ctx.catalog.putResource({ id: vault.id, type: KEY_VAULT_TYPE, parentId: resourceGroupId(sub, vault.resourceGroup), body: { ...vault } });
}

export async function listKeyVaults(
  ctx: ServiceContext, sub: string, rg: string | undefined, page: { limit?: number; after?: string },
): Promise<Page<KeyVault>> {
  return listInGroup<KeyVault>(ctx, KEY_VAULT_TYPE, sub, rg, page);
}

/** Deletes a key vault and every secret in it; false when there was none. */
export async function deleteKeyVault(ctx: ServiceContext, sub: string, rg: string, name: string): Promise<boolean> {
  await getResourceGroup(ctx, sub, rg);
  const id = keyVaultId(sub, rg, name);
  return ctx.catalog.transaction(async () => {
    if (!(await ctx.catalog.getResource(id))) return false;
    await store.deleteAllSecrets(ctx, id);
    return ctx.catalog.deleteResource(id);
  });
}

/** `PUT vaults/{name}/accessPolicies/{add|replace|remove}`: returns the vault's policies afterwards. */
export async function updateKeyVaultAccessPolicies(
  ctx: ServiceContext, sub: string, rg: string, name: string, kind: string, body: unknown,
): Promise<{ kind: AccessPolicyUpdateKind; vault: KeyVault }> {
  const op = ACCESS_POLICY_UPDATE_KINDS.find((k) => k === kind.toLowerCase());
  if (!op) throw errors.keyVaultRequestInvalid(`'${kind}' is not an access policy update; use add, replace or remove.`, 'operationKind');
  return ctx.catalog.transaction(async () => {
    const vault = await getKeyVault(ctx, sub, rg, name);
    const props = ((body ?? {}) as { properties?: { accessPolicies?: unknown } }).properties;
    if (!props || !Array.isArray(props.accessPolicies)) {
      throw errors.keyVaultRequestInvalid('The request needs properties.accessPolicies, a list of access policies.', 'properties.accessPolicies');
    }
    const changes: AccessPolicy[] = readAccessPolicies(props.accessPolicies, vault.properties.tenantId, 'properties.accessPolicies');
    vault.properties.accessPolicies = updateAccessPolicies(vault.properties.accessPolicies, op, changes);
    await saveKeyVault(ctx, vault);
    return { kind: op, vault };
  });
}

// --- Secrets --------------------------------------------------------------------------------

/** Stores a new version of a secret from `{properties: {value, contentType}, tags}` (or the data plane's `{value, contentType, tags}`). */
export async function setSecret(
  ctx: ServiceContext, sub: string, rg: string, kv: string, name: string, body: unknown,
): Promise<{ bundle: Record<string, unknown>; created: boolean }> {
  const vault = await getKeyVault(ctx, sub, rg, kv);
  checkSecretName(name);
  const b = (body ?? {}) as Record<string, unknown>;
  const p = (b.properties && typeof b.properties === 'object' ? b.properties : b) as Record<string, unknown>;
  // Never quote the value in an error.
  if (typeof p.value !== 'string') throw errors.secretParameterInvalid('The secret value is required and must be a string (properties.value).', 'properties.value');
  if (Buffer.byteLength(p.value) > MAX_SECRET_BYTES) {
    throw errors.secretParameterInvalid(`The secret value is ${Buffer.byteLength(p.value)} bytes; a secret value may hold at most ${MAX_SECRET_BYTES} bytes.`, 'properties.value');
  }
  if (p.contentType !== undefined && p.contentType !== null && typeof p.contentType !== 'string') {
    throw errors.secretParameterInvalid('contentType must be a string.', 'properties.contentType');
  }
  const input = { value: p.value, contentType: (p.contentType as string | null | undefined) ?? null, tags: readTags(b.tags, errors.keyVaultRequestInvalid) ?? {} };
  const { secret, version, created } = await store.addSecretVersion(ctx, vault.id, name, input, ctx.clock.now());
  return { bundle: secretBundle(vault, secret, version), created };
}

async function findSecret(ctx: ServiceContext, vault: KeyVault, name: string, version?: string): Promise<{ secret: SecretRecord; version: SecretVersionRecord }> {
  checkSecretName(name);
  const secret = await store.getSecretRecord(ctx, vault.id, name);
  const found = secret && (await store.getSecretVersion(ctx, vault.id, secret.name, version ?? secret.currentVersion));
  if (!secret || !found) {
    throw errors.secretNotFound(`A secret with (name/id) ${name}${version ? `/${version}` : ''} was not found in key vault '${vault.name}'.`);
  }
  return { secret, version: found };
}

/** A secret version's metadata; with `withValue`, its value too (only `secret show` asks for it). */
export async function showSecret(
  ctx: ServiceContext, sub: string, rg: string, kv: string, name: string, opts: { version?: string; withValue?: boolean } = {},
): Promise<Record<string, unknown>> {
  const vault = await getKeyVault(ctx, sub, rg, kv);
  const { secret, version } = await findSecret(ctx, vault, name, opts.version);
  return secretBundle(vault, secret, version, opts.withValue ? store.openSecretVersion(ctx, vault.id, secret, version) : undefined);
}

export async function listSecrets(
  ctx: ServiceContext, sub: string, rg: string, kv: string, page: { limit?: number; after?: string },
): Promise<Page<Record<string, unknown>>> {
  const vault = await getKeyVault(ctx, sub, rg, kv);
  const res = await store.listSecretRecords(ctx, vault.id, page);
  return { items: res.items.map((s) => secretItem(vault, s)), next: res.next };
}

export async function listSecretVersions(ctx: ServiceContext, sub: string, rg: string, kv: string, name: string): Promise<Record<string, unknown>[]> {
  const vault = await getKeyVault(ctx, sub, rg, kv);
  const { secret } = await findSecret(ctx, vault, name);
  return (await store.listSecretVersions(ctx, vault.id, secret.name)).map((v) => secretVersionItem(vault, secret, v));
}

export async function deleteSecret(ctx: ServiceContext, sub: string, rg: string, kv: string, name: string): Promise<Record<string, unknown>> {
  const vault = await getKeyVault(ctx, sub, rg, kv);
  const { secret, version } = await findSecret(ctx, vault, name);
  await store.deleteSecret(ctx, vault.id, secret.name);
  return deletedSecretBundle(vault, secret, version, ctx.clock.now());
}

/**
 * The value of the secret a backup instance names (`https://{kv}.vault.azure.net/secrets/{name}`,
 * optionally with a version; without one, the latest version, read afresh at every call), as
 * `principalId` may read it: the key vault must grant that principal `get` on secrets. An
 * undefined principal is the installation's operator (the API's caller), who owns every vault.
 */
export async function resolveSecret(ctx: ServiceContext, secretUri: string, principalId: string | undefined): Promise<string> {
  const parts = parseSecretUri(secretUri);
  if (!parts) {
    // Quote the input only when it is URL-like: a connection string pasted here by mistake holds a password.
    const shown = /^https?:\/\/[^\s;@'"]{0,300}$/i.test(secretUri) ? ` '${secretUri}'` : '';
    throw errors.secretStoreInvalid(
      `The secret store URI${shown} is not a key vault secret identifier. Expected https://<key-vault>.vault.azure.net/secrets/<secret-name>, optionally followed by /<version>.`,
    );
  }
  const vault = await findKeyVaultByName(ctx, parts.vaultName);
  if (!vault) {
    throw errors.secretStoreInvalid(
      `The key vault '${parts.vaultName}' does not exist. Create it with 'dpvault keyvault create -g <resource-group> -n ${parts.vaultName}' ` +
        `and store the secret with 'dpvault keyvault secret set --vault-name ${parts.vaultName} -n ${parts.name} --value <connection-string>'.`,
    );
  }
  if (principalId !== undefined && !grantsSecretPermission(vault.properties.accessPolicies, principalId, 'get')) {
    throw errors.secretStorePermissionMissing(
      `The principal '${principalId}' has no access policy on key vault '${vault.name}' that grants 'get' on secrets. ` +
        `Grant it with 'dpvault keyvault set-policy -n ${vault.name} -g ${vault.resourceGroup} --object-id ${principalId} --secret-permissions get list'.`,
    );
  }
  const secret = await store.getSecretRecord(ctx, vault.id, parts.name);
  const version = secret && (await store.getSecretVersion(ctx, vault.id, secret.name, parts.version ?? secret.currentVersion));
  if (!secret || !version) {
    const what = parts.version ? `Version '${parts.version}' of secret '${parts.name}'` : `The secret '${parts.name}'`;
    throw errors.secretInvalid(
      `${what} does not exist in key vault '${vault.name}'. Store it with 'dpvault keyvault secret set --vault-name ${vault.name} -n ${parts.name} --value <connection-string>'.`,
    );
  }
  return store.openSecretVersion(ctx, vault.id, secret, version);
}

const isSku = (s: string): s is KeyVault['properties']['sku']['name'] => s === 'standard' || s === 'premium';

