// The retention timeline of a recovery point: which datastore holds it from when until when,
// derived from the AzureRetentionRule its tag selects, and why (restic-style "keep because").
//
// The point is created in the backup rule's datastore (VaultStore) and lives there for that
// store's lifecycle deleteAfter. Each copy setting of a lifecycle puts it into the target store:
// CopyOnExpiryOption at the moment it expires in the source (a move), ImmediateCopyOption at
// creation, CustomCopyOption after its duration from arrival in the source. In the target it lives
// for the lifecycle whose sourceDataStore is that target, counted from its arrival (6 months in the
// vault then 24 months in the archive is 30 months in all). Pure: time is an argument.

import { errors } from '../domain/errors.ts';
import { addDuration, durationProblem, formatDuration, parseDuration } from './time/duration.ts';

export type DataStoreType = 'VaultStore' | 'ArchiveStore' | 'OperationalStore';

export interface CopySettingInput {
  dataStore: { dataStoreType: string; objectType?: string };
  copyAfter: { objectType: string; duration?: string | null };
}

export interface LifecycleInput {
  deleteAfter: { duration: string; objectType?: string };
  sourceDataStore: { dataStoreType: string; objectType?: string };
  /** An array as the service stores it; az's create-lifecycle emits one object or null. */
  targetDataStoreCopySettings?: CopySettingInput[] | CopySettingInput | null;
}

export interface RetentionRuleInput {
  name: string;
  isDefault?: boolean;
  objectType?: string;
  lifecycles: LifecycleInput[];
}

export interface Residency {
  dataStoreType: DataStoreType;
  from: Date;
  /** When the point leaves this store; null when no lifecycle ever deletes it there. */
  until: Date | null;
  reason: string;
}

/** The copy settings of a lifecycle as a list, whichever shape they came in. */
export function copySettings(lc: LifecycleInput): CopySettingInput[] {
  const v = lc.targetDataStoreCopySettings;
  if (v === null || v === undefined) return [];
  return Array.isArray(v) ? v : [v];
}

const same = (a: string, b: string): boolean => a.toLowerCase() === b.toLowerCase();
const iso = (d: Date | null): string => (d ? d.toISOString() : 'never');

function canonicalStore(name: string): DataStoreType {
  for (const s of ['VaultStore', 'ArchiveStore', 'OperationalStore'] as const) if (same(s, name)) return s;
  return name as DataStoreType;
}

function lifecycleFor(rule: RetentionRuleInput, store: string): LifecycleInput | undefined {
  return rule.lifecycles.find((lc) => same(lc.sourceDataStore.dataStoreType, store));
}

/**
 * Checks a retention rule on its own: at least one lifecycle, valid durations, one lifecycle per
 * source datastore, a lifecycle for every copy target, and no ArchiveStore lifecycle without a
 * VaultStore lifecycle to copy from. Throws UserErrorInvalidRetentionRule.
 */
export function checkRetentionRule(rule: RetentionRuleInput): void {
  function bad(message: string): never {
    throw errors.retentionRuleInvalid(`Retention rule '${rule.name}': ${message}`, rule.name);
  }
  const lifecycles = Array.isArray(rule.lifecycles) ? rule.lifecycles : [];
  if (lifecycles.length === 0) bad('it needs at least one lifecycle.');
  const seen = new Set<string>();
  lifecycles.forEach((lc, i) => {
    const store = lc.sourceDataStore?.dataStoreType;
    if (typeof store !== 'string') bad(`lifecycle ${i + 1} has no sourceDataStore.dataStoreType.`);
    if (seen.has(store.toLowerCase())) bad(`it has more than one lifecycle for source datastore ${store}.`);
    seen.add(store.toLowerCase());
    const problem = durationProblem(lc.deleteAfter?.duration);
    if (problem !== null) bad(`the deleteAfter duration '${String(lc.deleteAfter?.duration)}' of the ${store} lifecycle is not valid: ${problem}`);
    for (const c of copySettings(lc)) {
      const target = c.dataStore?.dataStoreType;
      if (typeof target !== 'string') bad(`a copy setting of the ${store} lifecycle has no dataStore.dataStoreType.`);
      if (same(target, store)) bad(`the ${store} lifecycle copies to its own datastore.`);
      if (!lifecycles.some((o) => same(o.sourceDataStore?.dataStoreType ?? '', target))) {
        bad(`the ${store} lifecycle copies to ${target}, but no lifecycle says how long to keep it in ${target}.`);
      }
      if (same(c.copyAfter?.objectType ?? '', 'CustomCopyOption')) {
        const p = durationProblem(c.copyAfter.duration ?? '');
        if (p !== null) bad(`the CustomCopyOption of the ${store} lifecycle needs a valid duration: ${p}`);
      }
    }
  });
  if (seen.has('archivestore') && !seen.has('vaultstore')) {
    bad('it has an ArchiveStore lifecycle but no VaultStore lifecycle; recovery points reach the archive only by copy from the vault, so add a VaultStore lifecycle that copies to ArchiveStore.');
  }
}

/**
 * The residencies of a recovery point created at `created` in `createdIn` (the backup rule's
 * datastore), under `rule`, with calendar arithmetic in `timeZone`.
 */
export function retentionTimeline(
  rule: RetentionRuleInput,
  created: Date,
  timeZone: string,
  createdIn: DataStoreType = 'VaultStore',
): Residency[] {
  const out: Residency[] = [];
  const visited = new Set<string>();
  const visit = (store: string, from: Date, how: string): void => {
    if (visited.has(store.toLowerCase())) return;
    visited.add(store.toLowerCase());
    const lc = lifecycleFor(rule, store);
    if (!lc) {
      out.push({ dataStoreType: canonicalStore(store), from, until: null, reason: `${how}; rule '${rule.name}' has no ${store} lifecycle, so nothing deletes it there` });
      return;
    }
    const keep = parseDuration(lc.deleteAfter.duration);
    const until = addDuration(from, keep, timeZone);
    out.push({ dataStoreType: canonicalStore(store), from, until, reason: `${how}; rule '${rule.name}' keeps it in ${store} for ${formatDuration(keep)}` });
    for (const c of copySettings(lc)) {
      const target = c.dataStore.dataStoreType;
      const kind = c.copyAfter.objectType.toLowerCase();
      if (kind === 'immediatecopyoption') {
        visit(target, from, `copied from ${store} as soon as it arrived there (ImmediateCopyOption)`);
      } else if (kind === 'customcopyoption') {
        const after = parseDuration(c.copyAfter.duration ?? 'P0D');
        const at = addDuration(from, after, timeZone);
        const when = at.getTime() < until.getTime() ? at : until;
        visit(target, when, `copied from ${store} ${formatDuration(after)} after it arrived there (CustomCopyOption)`);
      } else {
        visit(target, until, `moved from ${store} when it expired there (CopyOnExpiryOption)`);
      }
    }
  };
  const first = lifecycleFor(rule, createdIn) ?? rule.lifecycles[0];
  visit(first ? first.sourceDataStore.dataStoreType : createdIn, created, `created by the backup`);
  return out;
}

/** Whether a residency holds the point at an instant: from is inclusive, until exclusive. */
export function holdsAt(r: Residency, instant: Date): boolean {
  const t = instant.getTime();
  return r.from.getTime() <= t && (r.until === null || t < r.until.getTime());
}

/** The datastores that hold the point at an instant (empty once it has expired everywhere). */
export function dataStoresAt(timeline: readonly Residency[], instant: Date): DataStoreType[] {
  return timeline.filter((r) => holdsAt(r, instant)).map((r) => r.dataStoreType);
}

/** One line saying why the point is (or was) in a datastore and until when. */
export function why(r: Residency): string {
  const until = r.until ? `until ${iso(r.until)}` : 'with no expiry';
  return `keep in ${r.dataStoreType} from ${iso(r.from)} ${until} because it was ${r.reason}`;
}

/** The `why` lines of the residencies holding the point at an instant. */
export function explainAt(timeline: readonly Residency[], instant: Date): string[] {
  return timeline.filter((r) => holdsAt(r, instant)).map(why);
}
