// ARM resource ids: parse, format and compare (case-insensitively, as ARM does).
import { invalid } from './errors.ts';

export interface ResourceIdParts {
  subscription: string;
  resourceGroup?: string;
  /** Provider namespace, e.g. Microsoft.DataProtection. */
  provider?: string;
  /** Type/name pairs below the provider, e.g. [['backupVaults','v1'],['backupPolicies','p1']]. */
  segments: [string, string][];
}

export function parseResourceId(id: string): ResourceIdParts {
  const parts = id.split('/').filter((p) => p.length > 0);
  const fail = () => invalid('InvalidResourceId', `'${id}' is not a valid resource id.`);
  if (parts.length < 2 || parts[0]!.toLowerCase() !== 'subscriptions') throw fail();
  const out: ResourceIdParts = { subscription: parts[1]!, segments: [] };
  let i = 2;
  if (parts[i]?.toLowerCase() === 'resourcegroups') {
    if (!parts[i + 1]) throw fail();
    out.resourceGroup = parts[i + 1]!;
    i += 2;
  }
  if (i < parts.length) {
    if (parts[i]!.toLowerCase() !== 'providers' || !parts[i + 1]) throw fail();
    out.provider = parts[i + 1]!;
    i += 2;
    while (i < parts.length) {
      const type = parts[i];
      const name = parts[i + 1];
      if (!type || !name) throw fail();
      out.segments.push([type, name]);
      i += 2;
    }
  }
  return out;
}

export function formatResourceId(p: ResourceIdParts): string {
  let id = `/subscriptions/${p.subscription}`;
  if (p.resourceGroup) id += `/resourceGroups/${p.resourceGroup}`;
  if (p.provider) {
    id += `/providers/${p.provider}`;
    for (const [t, n] of p.segments) id += `/${t}/${n}`;
  }
  return id;
}

/** The key under which a resource is stored: the id, lower-cased, without a trailing slash. */
export function resourceKey(id: string): string {
  return id.toLowerCase().replace(/\/+$/, '');
}

export function sameResourceId(a: string, b: string): boolean {
  return resourceKey(a) === resourceKey(b);
}

/** The last name segment of an id. */
export function resourceName(id: string): string {
  const parts = id.split('/').filter(Boolean);
  return parts[parts.length - 1] ?? '';
}

export function vaultId(sub: string, rg: string, vault: string): string {
  return `/subscriptions/${sub}/resourceGroups/${rg}/providers/Microsoft.DataProtection/backupVaults/${vault}`;
}

export function resourceGroupId(sub: string, rg: string): string {
  return `/subscriptions/${sub}/resourceGroups/${rg}`;
}
