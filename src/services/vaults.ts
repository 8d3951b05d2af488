// Backup vaults: create, update, read, list and delete, with Azure's rules.
import { errors } from '../domain/errors.ts';
import { checkTags } from '../domain/tags.ts';
import { INSTANCE_TYPE } from '../domain/backup-instance.ts';
import { DELETED_INSTANCE_TYPE } from '../domain/deleted-instance.ts';
import { POLICY_TYPE } from '../domain/policy.ts';
import { resourceGroupId, vaultId } from '../domain/resource-id.ts';
import {
  type BackupVault, DEFAULT_SETTINGS, VAULT_TYPE, checkVaultName, mergeSettings, normaliseIdentityType, normaliseStorageSettings,
} from '../domain/vault.ts';
import type { Page } from '../catalog/catalog.ts';
import { stableGuid } from '../util/ids.ts';
import type { ServiceContext } from './context.ts';
import { getResourceGroup, listInGroup } from './resource-groups.ts';
import { replicatedRegionsFor } from './geo-copies.ts';

export async function getVault(ctx: ServiceContext, sub: string, rg: string, name: string): Promise<BackupVault> {
  await getResourceGroup(ctx, sub, rg);
  const found = await ctx.catalog.getResource<BackupVault>(vaultId(sub, rg, name));
  if (!found) {
    throw errors.resourceNotFoundInGroup(VAULT_TYPE, name, rg);
  }
  return found.body;
}

/** Validates a PUT body and builds the vault it describes; the caller stores it. */
export async function prepareVaultPut(
  ctx: ServiceContext, sub: string, rg: string, name: string, body: unknown,
): Promise<{ vault: BackupVault; created: boolean }> {
  const group = await getResourceGroup(ctx, sub, rg);
  checkVaultName(name);
  const b = (body ?? {}) as Record<string, unknown>;
  if (typeof b.location !== 'string' || !b.location) {
    throw errors.locationRequired('location');
  }
  const props = (b.properties ?? null) as Record<string, unknown> | null;
  if (!props || typeof props !== 'object') {
    throw errors.requestParameterInvalid('The request has no properties; a backup vault needs properties.storageSettings.', 'properties');
  }
  const id = vaultId(sub, group.name, name);
  const existing = (await ctx.catalog.getResource<BackupVault>(id))?.body;
  if (existing && existing.location.toLowerCase() !== b.location.toLowerCase()) {
    throw errors.requestParameterInvalid(`The vault exists in location '${existing.location}'; its location cannot change.`, 'location');
  }
  const storageSettings = normaliseStorageSettings(props.storageSettings);
  const settings = mergeSettings(existing?.properties ?? DEFAULT_SETTINGS, props);
  const vault: BackupVault = {
    id: existing?.id ?? id,
    name: existing?.name ?? name,
    type: VAULT_TYPE,
    location: existing?.location ?? b.location,
    resourceGroup: group.name,
    tags: checkTags(b.tags, errors.requestParameterInvalid) ?? existing?.tags ?? null,
    eTag: null,
    systemData: null,
    identity: buildIdentity(ctx, id, b.identity, existing),
    properties: {
      provisioningState: 'Succeeded',
      storageSettings,
      isVaultProtectedByResourceGuard: existing?.properties.isVaultProtectedByResourceGuard ?? false,
      ...settings,
      secureScore: existing?.properties.secureScore ?? 'Adequate',
      bcdrSecurityLevel: existing?.properties.bcdrSecurityLevel ?? 'Good',
      replicatedRegions: [],
    },
  };
  // An existing vault keeps the regions it replicates to, as it keeps its storage settings (a
  // GeoRedundant vault made before pairs existed: none).
  vault.properties.replicatedRegions = existing ? existing.properties.replicatedRegions : replicatedRegionsFor(ctx, vault);
  return { vault, created: !existing };
}

/** Applies a PATCH body to a vault; storage settings are not patchable, as in Azure. */
export async function prepareVaultPatch(ctx: ServiceContext, sub: string, rg: string, name: string, body: unknown): Promise<BackupVault> {
  const current = await getVault(ctx, sub, rg, name);
  const b = (body ?? {}) as Record<string, unknown>;
  const props = (b.properties ?? {}) as Record<string, unknown>;
  if (props.storageSettings !== undefined) {
    throw errors.requestParameterInvalid('properties.storageSettings cannot be changed with PATCH.', 'properties.storageSettings');
  }
  const vault = structuredClone(current);
  Object.assign(vault.properties, mergeSettings(current.properties, props));
  if (b.identity !== undefined) vault.identity = buildIdentity(ctx, current.id, b.identity, current);
  if (b.tags !== undefined) vault.tags = checkTags(b.tags, errors.requestParameterInvalid) ?? null;
  return vault;
}

export async function saveVault(ctx: ServiceContext, vault: BackupVault): Promise<void> {
  await ctx.catalog.putResource({
    id: vault.id,
    type: VAULT_TYPE,
    parentId: resourceGroupId(vault.id.split('/')[2]!, vault.resourceGroup),
    body: { ...vault },
  });
}

export async function listVaults(
  ctx: ServiceContext, sub: string, rg: string | undefined, page: { limit?: number; after?: string },
): Promise<Page<BackupVault>> {
  return listInGroup<BackupVault>(ctx, VAULT_TYPE, sub, rg, page);
}

/** Refuses to delete a vault that still holds policies or backup instances, live or soft-deleted; returns the vault. */
export async function checkVaultDeletable(ctx: ServiceContext, sub: string, rg: string, name: string): Promise<BackupVault> {
  const vault = await getVault(ctx, sub, rg, name);
  const policies = await ctx.catalog.countResources({ type: POLICY_TYPE, parentId: vault.id });
  const instances = await ctx.catalog.countResources({ type: INSTANCE_TYPE, parentId: vault.id });
  if (policies + instances > 0) {
    throw errors.backupVaultNotEmpty();
  }
  // As Azure: a vault holding soft-deleted instances cannot go, or deleting it would purge them early.
  const softDeleted = await ctx.catalog.countResources({ type: DELETED_INSTANCE_TYPE, parentId: vault.id });
  if (softDeleted > 0) throw errors.backupVaultHoldsSoftDeleted(softDeleted);
  return vault;
}

/**
 * Deletes the vault and what it still holds in the catalog (its jobs: checkVaultDeletable has
 * refused a vault with policies or instances), so a vault made again under the same name starts
 * empty and its group can be deleted.
 */
export async function deleteVault(ctx: ServiceContext, vault: BackupVault): Promise<void> {
  await ctx.catalog.transaction(async () => {
    const held = await ctx.catalog.listResources({ idPrefix: `${vault.id}/` });
    for (const r of held.items) await ctx.catalog.deleteResource(r.id);
    await ctx.catalog.deleteResource(vault.id);
  });
}

function buildIdentity(ctx: ServiceContext, id: string, requested: unknown, existing: BackupVault | undefined): BackupVault['identity'] {
  if (requested === undefined || requested === null) return existing?.identity ?? null;
  const type = normaliseIdentityType((requested as { type?: unknown }).type);
  if (type === 'None') return { type: 'None' };
  // The principal stays the same while the identity lives; a new one is minted after it was removed.
  if (existing?.identity?.type === 'SystemAssigned' && existing.identity.principalId) return existing.identity;
  return { type, principalId: stableGuid(`${id.toLowerCase()}|${ctx.clock.now().toISOString()}`), tenantId: ctx.tenantId };
}
