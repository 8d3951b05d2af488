// What the `*-list-from-resourcegraph` commands share. az asks Azure Resource Graph; dpvault lists
// the resources of every vault in each subscription (GET /subscriptions/{sub}/providers/
// Microsoft.DataProtection/{collection}, a dpvault extension) and applies az's query's filters
// here, answering with rows shaped as Resource Graph's.
import { DpError } from '../../../domain/errors.ts';
import type { ArgSpec, CommandContext } from '../../command.ts';

export interface ArmResource {
  id: string;
  name: string;
  type: string;
  tags?: unknown;
  properties?: Record<string, unknown>;
}

export interface Listed {
  subscriptionId: string;
  tenantId: string | null;
  items: ArmResource[];
}

export const graphScopeArgs = {
  subscriptions: { names: ['--subscriptions'], arity: 'many', help: 'List of subscription ids (default: the current one).' },
  resourceGroups: { names: ['--resource-groups'], arity: 'many', help: 'List of resource groups.' },
  vaults: { names: ['--vaults'], arity: 'many', help: 'List of vault names.' },
} satisfies Record<string, ArgSpec>;

/** Lists `collection` in each subscription asked for; subscriptions this service does not hold are skipped with a warning. */
export async function listAcrossVaults(ctx: CommandContext, subscriptions: string[] | undefined, collection: string): Promise<Listed[]> {
  const subs = subscriptions ?? [await ctx.subscription()];
  const out: Listed[] = [];
  for (const sub of subs) {
    let tenantId: string | null;
    try {
      tenantId = ((await ctx.client.get(`/subscriptions/${sub}`)) as { tenantId?: string }).tenantId ?? null;
    } catch (e) {
      if (e instanceof DpError && (e.kind === 'notFound' || e.kind === 'forbidden')) {
        ctx.warn(`Subscription '${sub}' is not served by this dpvault service; it was skipped.`);
        continue;
      }
      throw e;
    }
    const items = (await ctx.client.listAll(`/subscriptions/${sub}/providers/Microsoft.DataProtection/${collection}`)) as ArmResource[];
    out.push({ subscriptionId: sub, tenantId, items });
  }
  return out;
}

/** KQL's `value in~ (wanted...)`; no list means no filter. */
export function inAny(value: unknown, wanted: readonly string[] | undefined): boolean {
  if (!wanted) return true;
  const v = value === null || value === undefined ? '' : String(value).toLowerCase();
  return wanted.some((w) => w.toLowerCase() === v);
}

export const resourceGroupOf = (id: string): string => id.split('/')[4] ?? '';

/** The vault name in a resource id: the segment after /Microsoft.DataProtection/backupVaults/. */
export function vaultNameOf(id: string): string {
  return /\/Microsoft\.DataProtection\/backupVaults\/([^/]+)/i.exec(id)?.[1] ?? '';
}

/** A Resource Graph row for `resource`, with the query's extended columns appended. */
export function graphRow(resource: ArmResource, listed: Listed, extra: Record<string, unknown>): Record<string, unknown> {
  return {
    id: resource.id,
    name: resource.name,
    type: resource.type.toLowerCase(),
    tenantId: listed.tenantId,
    kind: '',
    location: '',
    resourceGroup: resourceGroupOf(resource.id),
    subscriptionId: listed.subscriptionId,
    managedBy: '',
    sku: null,
    plan: null,
    properties: resource.properties ?? {},
    tags: resource.tags ?? null,
    identity: null,
    zones: null,
    extendedLocation: null,
    ...extra,
  };
}
