// Resource groups: the containers every other resource lives in.
import { ROLE_ASSIGNMENT_TYPE } from '../domain/role-assignment.ts';
import { errors } from '../domain/errors.ts';
import { checkTags } from '../domain/tags.ts';
import { resourceGroupId } from '../domain/resource-id.ts';
import { RESOURCE_GROUP_TYPE, type ResourceGroup } from '../domain/resource-group.ts';
import type { Page } from '../catalog/catalog.ts';
import type { ServiceContext } from './context.ts';

const NAME = /^[-\w._()]{1,90}$/u;

export async function getResourceGroup(ctx: ServiceContext, sub: string, rg: string): Promise<ResourceGroup> {
  checkSubscription(ctx, sub);
  const found = await ctx.catalog.getResource<ResourceGroup>(resourceGroupId(sub, rg));
  if (!found) throw errors.resourceGroupNotFound(rg);
  return found.body;
}

/**
 * One page of the resources of `type` in a resource group, or in the whole subscription when no
 * group is named (the group must exist).
 */
export async function listInGroup<T>(
  ctx: ServiceContext, type: string, sub: string, rg: string | undefined, page: { limit?: number; after?: string },
): Promise<Page<T>> {
  const q = rg ? { type, parentId: resourceGroupId(sub, (await getResourceGroup(ctx, sub, rg)).name) } : { type, idPrefix: `/subscriptions/${sub}/` };
  const res = await ctx.catalog.listResources<T>({ ...q, ...page });
  return { items: res.items.map((r) => r.body), next: res.next };
}

export async function putResourceGroup(ctx: ServiceContext, sub: string, rg: string, body: unknown): Promise<{ group: ResourceGroup; created: boolean }> {
  checkSubscription(ctx, sub);
  if (!NAME.test(rg) || rg.endsWith('.')) {
    throw errors.resourceGroupNameInvalid(`The provided resource group name '${rg}' has these invalid characters or is too long.`);
  }
  const b = (body ?? {}) as { location?: unknown; tags?: unknown; managedBy?: unknown };
  if (typeof b.location !== 'string' || !b.location) {
    throw errors.locationRequired();
  }
  const id = resourceGroupId(sub, rg);
  const existing = await ctx.catalog.getResource<ResourceGroup>(id);
  if (existing && existing.body.location.toLowerCase() !== b.location.toLowerCase()) {
    throw errors.resourceGroupLocationChanged(
      `Invalid resource group location '${b.location}'. The Resource group already exists in location '${existing.body.location}'.`,
    );
  }
  const group: ResourceGroup = {
    id: existing?.body.id ?? id,
    name: existing?.body.name ?? rg,
    type: RESOURCE_GROUP_TYPE,
    location: existing?.body.location ?? b.location,
    managedBy: typeof b.managedBy === 'string' ? b.managedBy : null,
    properties: { provisioningState: 'Succeeded' },
    tags: checkTags(b.tags, errors.requestContentInvalid) ?? existing?.body.tags ?? null,
  };
  await ctx.catalog.putResource({ id: group.id, type: RESOURCE_GROUP_TYPE, parentId: null, body: { ...group } });
  return { group, created: !existing };
}

export async function listResourceGroups(ctx: ServiceContext, sub: string): Promise<ResourceGroup[]> {
  checkSubscription(ctx, sub);
  const page = await ctx.catalog.listResources<ResourceGroup>({ type: RESOURCE_GROUP_TYPE, idPrefix: `/subscriptions/${sub}/` });
  return page.items.map((r) => r.body);
}

/** Deletes an empty group. A group that still holds resources is refused: backups are never lost by accident. */
export async function deleteResourceGroup(ctx: ServiceContext, sub: string, rg: string): Promise<boolean> {
  checkSubscription(ctx, sub);
  const id = resourceGroupId(sub, rg);
  const existing = await ctx.catalog.getResource(id);
  if (!existing) return false;
  // Role assignments over the group or under it are no resources it holds: they go with it.
  const assignments = (await ctx.catalog.listResources({ type: ROLE_ASSIGNMENT_TYPE, idPrefix: `${id}/` })).items;
  const count = (await ctx.catalog.countResources({ idPrefix: `${id}/` })) - assignments.length;
  if (count > 0) {
    // What it holds directly; else (left by an older version, say) whatever lies deeper.
    let held = (await ctx.catalog.listResources({ parentId: existing.id, limit: NAMED_AT_MOST + 1 })).items;
    if (held.length === 0) {
      held = (await ctx.catalog.listResources({ idPrefix: `${id}/` })).items.filter((r) => r.type !== ROLE_ASSIGNMENT_TYPE).slice(0, NAMED_AT_MOST + 1);
    }
    throw errors.resourceGroupNotEmpty(
      `Resource group '${rg}' still holds ${describeHeld(held)} (${count} resource(s) in all, counting what they contain). ` +
        'Delete them first; dpvault never deletes backup data along with a group.',
    );
  }
  return ctx.catalog.transaction(async () => {
    for (const a of assignments) await ctx.catalog.deleteResource(a.id);
    return ctx.catalog.deleteResource(id);
  });
}

/** Up to this many of a group's resources are named when it cannot be deleted. */
const NAMED_AT_MOST = 10;

/** What each kind of resource a group can hold is called in a sentence (types compared in lower case). */
const KIND_NAMES: Record<string, string> = {
  'microsoft.dataprotection/backupvaults': 'backup vault',
  'microsoft.keyvault/vaults': 'key vault',
  'microsoft.dbforpostgresql/servers': 'PostgreSQL server',
};

/** "backup vault 'v1', key vault 'kv'": what a group holds directly, by kind and name. */
export function describeHeld(held: { id: string; type: string }[]): string {
  const named = held.slice(0, NAMED_AT_MOST).map((r) => `${KIND_NAMES[r.type.toLowerCase()] ?? r.type} '${r.id.split('/').pop()}'`);
  return held.length > NAMED_AT_MOST ? `${named.join(', ')} and more` : named.join(', ');
}

export function checkSubscription(ctx: ServiceContext, sub: string): void {
  if (sub.toLowerCase() !== ctx.subscriptionId.toLowerCase()) {
    throw errors.subscriptionNotFound(sub);
  }
}
