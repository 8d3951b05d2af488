// The retention timeline of an existing recovery point under a (new) retention rule, from where it
// lives now. A policy change applies the new rule to old points (reference §3.2): a point still in
// the datastore it was created in gets the rule's whole timeline from its creation time; a point
// that has already moved on (only in ArchiveStore, say) is never moved back, and keeps its place
// for that datastore's lifecycle counted from when it arrived there, or, when the rule has no
// lifecycle for that datastore, until the rule's last expiry counted from creation. Pure.
import { retentionTimeline, type DataStoreType, type Residency, type RetentionRuleInput } from './retention.ts';

const same = (a: string, b: string): boolean => a.toLowerCase() === b.toLowerCase();

export function reapplyTimeline(
  rule: RetentionRuleInput,
  created: Date,
  timeZone: string,
  current: readonly { store: string; since: Date }[],
  createdIn: DataStoreType = 'VaultStore',
): Residency[] {
  const full = retentionTimeline(rule, created, timeZone, createdIn);
  const origin = full[0]?.dataStoreType ?? createdIn;
  if (current.length === 0 || current.some((c) => same(c.store, origin))) return full;
  const ends = full.map((r) => r.until);
  const lastEnd = ends.includes(null) ? null : new Date(Math.max(...ends.map((e) => e!.getTime())));
  const out: Residency[] = [];
  for (const c of current) {
    if (out.some((r) => same(r.dataStoreType, c.store))) continue;
    const store = full.find((r) => same(r.dataStoreType, c.store))?.dataStoreType ?? (c.store as DataStoreType);
    const hasLifecycle = rule.lifecycles.some((lc) => same(lc.sourceDataStore.dataStoreType, c.store));
    if (hasLifecycle) {
      const from = retentionTimeline(rule, c.since, timeZone, store);
      from.forEach((r, i) => {
        if (out.some((o) => same(o.dataStoreType, r.dataStoreType))) return;
        const reason = i === 0 ? `already in ${store} since ${c.since.toISOString()} when the policy was applied${r.reason.slice(r.reason.indexOf(';'))}` : r.reason;
        out.push({ ...r, reason });
      });
    } else {
      out.push({
        dataStoreType: store,
        from: c.since,
        until: lastEnd,
        reason: `already in ${store} since ${c.since.toISOString()} when the policy was applied; rule '${rule.name}' has no ${store} lifecycle, so it stays there until the rule's last expiry counted from its creation`,
      });
    }
  }
  return out;
}
