// Resource guards (Microsoft.DataProtection/resourceGuards) and a vault's mapping to one
// (backupVaults/{vault}/backupResourceGuardProxies/DppResourceGuardProxy). The access checks the
// mapping's writes need (read over the guard; the guard's approval to remove it) are identity's
// (identity/resource-guard-approval.ts), handed in by the routes.
import type { Page } from '../catalog/catalog.ts';
import { errors } from '../domain/errors.ts';
import {
  GUARD_PROXY_NAME, GUARD_PROXY_TYPE, RESOURCE_GUARD_TYPE, type ResourceGuard, type ResourceGuardProxy,
  checkResourceGuardName, guardOperations, proxyOperationDetails, readExclusionList,
} from '../domain/resource-guard.ts';
import { resourceGroupId } from '../domain/resource-id.ts';
import { checkTags } from '../domain/tags.ts';
import type { BackupVault } from '../domain/vault.ts';
import type { ServiceContext } from './context.ts';
import { getResourceGroup, listInGroup } from './resource-groups.ts';
import { getVault, saveVault } from './vaults.ts';

export const resourceGuardId = (sub: string, rg: string, name: string): string =>
  `${resourceGroupId(sub, rg)}/providers/${RESOURCE_GUARD_TYPE}/${name}`;

export async function getResourceGuard(ctx: ServiceContext, sub: string, rg: string, name: string): Promise<ResourceGuard> {
  await getResourceGroup(ctx, sub, rg);
  const found = await ctx.catalog.getResource<ResourceGuard>(resourceGuardId(sub, rg, name));
  if (!found) throw errors.resourceNotFoundInGroup(RESOURCE_GUARD_TYPE, name, rg);
  return found.body;
}

/** PUT: creates or replaces a guard (location, tags, properties.vaultCriticalOperationExclusionList). */
export async function putResourceGuard(ctx: ServiceContext, sub: string, rg: string, name: string, body: unknown): Promise<{ guard: ResourceGuard; created: boolean }> {
  const group = await getResourceGroup(ctx, sub, rg);
  checkResourceGuardName(name);
  const b = (body ?? {}) as Record<string, unknown>;
  if (typeof b.location !== 'string' || !b.location) throw errors.locationRequired('location');
  const props = (b.properties && typeof b.properties === 'object' ? b.properties : {}) as Record<string, unknown>;
  const exclusions = readExclusionList(props.vaultCriticalOperationExclusionList);
  const tags = checkTags(b.tags, errors.requestParameterInvalid);
  return ctx.catalog.transaction(async () => {
    const id = resourceGuardId(sub, group.name, name);
    const existing = (await ctx.catalog.getResource<ResourceGuard>(id))?.body;
    if (existing && existing.location.toLowerCase() !== b.location!.toString().toLowerCase()) {
      throw errors.requestParameterInvalid(`The resource guard exists in location '${existing.location}'; its location cannot change.`, 'location');
    }
    const guard: ResourceGuard = {
      id: existing?.id ?? id,
      name: existing?.name ?? name,
      type: RESOURCE_GUARD_TYPE,
      location: existing?.location ?? (b.location as string),
      tags: tags ?? existing?.tags ?? null,
      eTag: null,
      systemData: null,
      properties: {
        provisioningState: 'Succeeded',
        allowAutoApprovals: true,
        resourceGuardOperations: guardOperations(),
        vaultCriticalOperationExclusionList: exclusions,
        description: null,
      },
    };
    await saveGuard(ctx, guard);
    return { guard, created: !existing };
  });
}

/** PATCH: tags only, as Azure's PatchResourceGuardInput. */
export async function patchResourceGuard(ctx: ServiceContext, sub: string, rg: string, name: string, body: unknown): Promise<ResourceGuard> {
  return ctx.catalog.transaction(async () => {
    const guard = await getResourceGuard(ctx, sub, rg, name);
    const tags = checkTags((body as { tags?: unknown } | null)?.tags, errors.requestParameterInvalid);
    if (tags !== undefined) guard.tags = tags;
    await saveGuard(ctx, guard);
    return guard;
  });
}

async function saveGuard(ctx: ServiceContext, guard: ResourceGuard): Promise<void> {
  const sub = guard.id.split('/')[2]!;
  const rg = guard.id.split('/')[4]!;
  await ctx.catalog.putResource({ id: guard.id, type: RESOURCE_GUARD_TYPE, parentId: resourceGroupId(sub, rg), body: { ...guard } });
}

export async function listResourceGuards(ctx: ServiceContext, sub: string, rg: string | undefined, page: { limit?: number; after?: string }): Promise<Page<ResourceGuard>> {
  return listInGroup<ResourceGuard>(ctx, RESOURCE_GUARD_TYPE, sub, rg, page);
}

/** The vault mappings that name the guard. */
async function mappingsTo(ctx: ServiceContext, guardId: string): Promise<ResourceGuardProxy[]> {
  const sub = guardId.split('/')[2]!;
  const all = await ctx.catalog.listResources<ResourceGuardProxy>({ type: GUARD_PROXY_TYPE, idPrefix: `/subscriptions/${sub}/` });
  return all.items.map((r) => r.body).filter((p) => p.properties.resourceGuardResourceId.toLowerCase() === guardId.toLowerCase());
}

/** Deletes a guard no vault is mapped to; false when there was none. */
export async function deleteResourceGuard(ctx: ServiceContext, sub: string, rg: string, name: string): Promise<boolean> {
  await getResourceGroup(ctx, sub, rg);
  return ctx.catalog.transaction(async () => {
    const found = await ctx.catalog.getResource<ResourceGuard>(resourceGuardId(sub, rg, name));
    if (!found) return false;
    const mapped = await mappingsTo(ctx, found.id);
    if (mapped.length) throw errors.resourceGuardInUse(found.id, mapped.map((p) => p.id.split('/backupResourceGuardProxies/')[0]!));
    return ctx.catalog.deleteResource(found.id);
  });
}

// --- The vault's mapping --------------------------------------------------------------------

const proxyId = (vault: BackupVault): string => `${vault.id}/backupResourceGuardProxies/${GUARD_PROXY_NAME}`;

function checkProxyName(name: string): void {
  if (name !== GUARD_PROXY_NAME) throw errors.resourceGuardProxyNameInvalid(name);
}

/** The vault's mapping, if it has one. */
export async function mappingOf(ctx: ServiceContext, vault: BackupVault): Promise<ResourceGuardProxy | undefined> {
  return (await ctx.catalog.getResource<ResourceGuardProxy>(proxyId(vault)))?.body;
}

export async function getGuardProxy(ctx: ServiceContext, sub: string, rg: string, vaultName: string, name: string): Promise<ResourceGuardProxy> {
  const vault = await getVault(ctx, sub, rg, vaultName);
  const found = name === GUARD_PROXY_NAME ? await mappingOf(ctx, vault) : undefined;
  if (!found) throw errors.resourceNotFoundInGroup(`${GUARD_PROXY_TYPE.split('/').slice(0, 2).join('/')}/${vault.name}/backupResourceGuardProxies`, name, rg);
  return found;
}

export async function listGuardProxies(ctx: ServiceContext, sub: string, rg: string, vaultName: string): Promise<ResourceGuardProxy[]> {
  const vault = await getVault(ctx, sub, rg, vaultName);
  const found = await mappingOf(ctx, vault);
  return found ? [found] : [];
}

/** The guard a mapping names: it must exist. */
async function guardNamed(ctx: ServiceContext, id: unknown): Promise<ResourceGuard> {
  const target = 'properties.resourceGuardResourceId';
  const parts = typeof id === 'string' ? id.split('/') : [];
  if (parts.length !== 9 || parts[1]?.toLowerCase() !== 'subscriptions' || `${parts[5]}/${parts[6]}/${parts[7]}`.toLowerCase() !== `providers/${RESOURCE_GUARD_TYPE}`.toLowerCase()) {
    throw errors.requestParameterInvalid(`${target} must be a resource guard's id, /subscriptions/{sub}/resourceGroups/{rg}/providers/${RESOURCE_GUARD_TYPE}/{name}.`, target);
  }
  return getResourceGuard(ctx, parts[2]!, parts[4]!, parts[8]!);
}

/** PUT: maps the vault to a guard. Mapping again to the same guard is a no-op; to another is refused (the mapping's removal is guarded). */
export async function putGuardProxy(
  ctx: ServiceContext, sub: string, rg: string, vaultName: string, name: string, body: unknown, mayMap: (guard: ResourceGuard) => Promise<void>,
): Promise<ResourceGuardProxy> {
  const vault = await getVault(ctx, sub, rg, vaultName);
  checkProxyName(name);
  const props = ((body ?? {}) as { properties?: Record<string, unknown> }).properties ?? {};
  const guard = await guardNamed(ctx, props.resourceGuardResourceId);
  await mayMap(guard);
  return ctx.catalog.transaction(async () => {
    const existing = await mappingOf(ctx, vault);
    if (existing && existing.properties.resourceGuardResourceId.toLowerCase() !== guard.id.toLowerCase()) {
      throw errors.resourceGuardMappingExists(existing.properties.resourceGuardResourceId);
    }
    const proxy: ResourceGuardProxy = {
      id: proxyId(vault),
      name: GUARD_PROXY_NAME,
      type: GUARD_PROXY_TYPE,
      systemData: null,
      properties: {
        resourceGuardResourceId: guard.id,
        resourceGuardOperationDetails: proxyOperationDetails(guard.id),
        lastUpdatedTime: ctx.clock.now().toISOString(),
        description: typeof props.description === 'string' ? props.description : null,
      },
    };
    await ctx.catalog.putResource({ id: proxy.id, type: GUARD_PROXY_TYPE, parentId: vault.id, body: { ...proxy } });
    await markProtected(ctx, vault, true);
    return proxy;
  });
}

/** DELETE: removes the mapping, itself a critical operation (`approve` asks the guard); false when there was none. */
export async function deleteGuardProxy(
  ctx: ServiceContext, sub: string, rg: string, vaultName: string, name: string, approve: (vault: BackupVault) => Promise<void>,
): Promise<boolean> {
  const vault = await getVault(ctx, sub, rg, vaultName);
  checkProxyName(name);
  if (!(await mappingOf(ctx, vault))) return false;
  await approve(vault);
  return ctx.catalog.transaction(async () => {
    await markProtected(ctx, vault, false);
    return ctx.catalog.deleteResource(proxyId(vault));
  });
}

/** The vault's read-only isVaultProtectedByResourceGuard follows its mapping. */
async function markProtected(ctx: ServiceContext, vault: BackupVault, on: boolean): Promise<void> {
  const current = (await ctx.catalog.getResource<BackupVault>(vault.id))?.body ?? vault;
  await saveVault(ctx, { ...current, properties: { ...current.properties, isVaultProtectedByResourceGuard: on } });
}
