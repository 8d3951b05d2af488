// ARM resource ids: build them, and the case-insensitive key they are stored under (as ARM compares them).

/** The key under which a resource is stored: the id, lower-cased, without a trailing slash. */
export function resourceKey(id: string): string {
  return id.toLowerCase().replace(/\/+$/, '');
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
