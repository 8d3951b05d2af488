// Role assignment scopes: `/` (every subscription of the installation), a subscription, a resource
// group, a resource, or anything below one. A scope covers itself and every scope under it,
// compared case-insensitively by whole path segments (`/subscriptions/s/resourceGroups/g` covers
// `.../g/providers/...` but not `.../g2`). Pure.

const segments = (scope: string): string[] => scope.split('/').filter(Boolean).map((s) => s.toLowerCase());

/** Whether an assignment over `outer` reaches `inner` (its own scope or any under it). */
export function scopeCovers(outer: string, inner: string): boolean {
  const o = segments(outer);
  const i = segments(inner);
  return o.length <= i.length && o.every((s, k) => s === i[k]);
}

/** The subscription id a scope lies in (undefined for `/`, or a path outside /subscriptions). */
export function subscriptionOf(scope: string): string | undefined {
  const s = scope.split('/').filter(Boolean);
  return s[0]?.toLowerCase() === 'subscriptions' && s[1] ? s[1] : undefined;
}

/** The scope in its canonical spelling: `/` or a path with a leading and no trailing slash. */
export function normalizeScope(scope: string): string {
  const s = scope.split('/').filter(Boolean);
  return s.length ? `/${s.join('/')}` : '/';
}
