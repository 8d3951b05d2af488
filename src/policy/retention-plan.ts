// The retention worker's decisions for one recovery point, as pure functions of (the point, now,
// the hold its instance puts on it): the next single step that brings its datastores in line with
// its retention timeline, and the datastore details the API shows. One step at a time, each
// recorded before the next is decided, so a crash between steps loses nothing: a copy is made and
// recorded before the source is retired; retired bytes are listed before they are deleted.
//
// Holds (reference §3.8): `frozen` after stop-protection (kept forever where it is: no move, no
// expiry); `latestForever` for the latest point of an instance whose backups are suspended (it
// follows its timeline but its last datastore never expires); `none` otherwise.
import { stableGuid } from '../util/ids.ts';
import type { DataStoreDetail, RecoveryPointResource, TimelineEntry } from '../domain/recovery-point.ts';

export type Hold = 'none' | 'latestForever' | 'frozen';

export type RetentionStep =
  /** Finish deleting retired bytes (and a rehydrated copy being deleted), then clear the list. */
  | { kind: 'purge' }
  /** Copy the bytes into a datastore whose residency has begun, then record them there. */
  | { kind: 'copy'; from: string; to: string; since: string }
  /** Record that a datastore no longer holds the point; its bytes go to the purge list. */
  | { kind: 'retire'; store: string }
  /** The rehydrated copy expired: record DELETE_IN_PROGRESS; the purge deletes it. */
  | { kind: 'expireRehydrated' }
  /** A rehydration whose job is no longer running: record FAILED. */
  | { kind: 'failRehydration' }
  /** No residency remains: delete the bytes, then the recovery point. */
  | { kind: 'delete' }
  /** Only the shown expiry times changed (a hold or a policy change). */
  | { kind: 'refresh' };

const ms = (iso: string | null): number => (iso === null ? Infinity : Date.parse(iso));

const holds = (r: TimelineEntry, now: number): boolean => ms(r.from) <= now && now < ms(r.until);

/** The datastores that hold the point's bytes, with the time each received them. */
export function currentStores(rp: RecoveryPointResource): { store: string; since: string }[] {
  return Object.keys(rp.internal.data).map((store) => ({
    store,
    since: rp.properties.recoveryPointDataStoresDetails.find((d) => d.type === store && d.rehydrationStatus === null)?.creationTime ?? rp.properties.recoveryPointTime,
  }));
}

/** The timeline the worker follows under a hold. */
export function effectiveTimeline(rp: RecoveryPointResource, hold: Hold): TimelineEntry[] {
  if (hold === 'frozen') {
    return currentStores(rp).map((c) => ({ dataStoreType: c.store, from: c.since, until: null, reason: 'protection stopped: kept forever' }));
  }
  const timeline = rp.internal.timeline;
  if (hold === 'none' || timeline.length === 0) return timeline;
  let last = 0;
  timeline.forEach((r, i) => {
    if (ms(r.from) >= ms(timeline[last]!.from)) last = i;
  });
  return timeline.map((r, i) => (i === last ? { ...r, until: null, reason: `${r.reason}; backups suspended and this is the latest recovery point: kept forever` } : r));
}

/** The expiry shown for a datastore: its residency holding now, else its latest one. */
function storeUntil(effective: TimelineEntry[], store: string, now: number): string | null {
  const of = effective.filter((r) => r.dataStoreType === store);
  const current = of.find((r) => holds(r, now));
  if (current) return current.until;
  const latest = of.reduce<TimelineEntry | undefined>((a, r) => (!a || ms(r.from) >= ms(a.from) ? r : a), undefined);
  return latest ? latest.until : null;
}

/** The datastore details and overall expiry the API shows for the point at `now` under `hold`. */
export function describeDataStores(rp: RecoveryPointResource, now: Date, hold: Hold): { details: DataStoreDetail[]; expiryTime: string | null } {
  const t = now.getTime();
  const effective = effectiveTimeline(rp, hold);
  const old = rp.properties.recoveryPointDataStoresDetails;
  const metaData = old.find((d) => d.metaData !== null)?.metaData ?? null;
  const details: DataStoreDetail[] = currentStores(rp).map((c) => {
    const existing = old.find((d) => d.type === c.store && d.rehydrationStatus === null);
    return {
      id: existing?.id || stableGuid(`${rp.id}:${c.store}`),
      type: c.store,
      creationTime: c.since,
      expiryTime: storeUntil(effective, c.store, t),
      metaData: existing?.metaData || metaData,
      visible: true,
      state: 'COMMITTED',
      rehydrationExpiryTime: null,
      rehydrationStatus: null,
    };
  });
  const h = rp.internal.rehydrated;
  if (h) {
    details.push({
      id: old.find((d) => d.rehydrationStatus !== null)?.id ?? stableGuid(`${rp.id}:rehydrated:${h.startedAt}`),
      type: 'VaultStore',
      creationTime: h.startedAt,
      expiryTime: h.expiresAt,
      metaData,
      visible: h.status === 'COMPLETED',
      state: h.status === 'COMPLETED' ? 'COMMITTED' : h.status,
      rehydrationExpiryTime: h.expiresAt,
      rehydrationStatus: h.status,
    });
  }
  const ends = effective.map((r) => r.until);
  const expiryTime = ends.length === 0 || ends.includes(null) ? null : new Date(Math.max(...ends.map((e) => ms(e)))).toISOString();
  return { details, expiryTime };
}

/** The next step for the point at `now`, or null when it is where its timeline says. */
export function nextRetentionStep(rp: RecoveryPointResource, now: Date, hold: Hold, rehydrationJobRunning: boolean): RetentionStep | null {
  const t = now.getTime();
  const h = rp.internal.rehydrated;
  if (h?.status === 'CREATE_IN_PROGRESS' && !rehydrationJobRunning) return { kind: 'failRehydration' };
  if (h?.status === 'COMPLETED' && h.expiresAt !== null && t >= ms(h.expiresAt)) return { kind: 'expireRehydrated' };
  if ((rp.internal.pendingDelete?.length ?? 0) > 0 || h?.status === 'DELETE_IN_PROGRESS') return { kind: 'purge' };
  if (hold !== 'frozen') {
    const effective = effectiveTimeline(rp, hold);
    const needed = effective.filter((r) => ms(r.until) > t);
    if (needed.length === 0 && h?.status !== 'CREATE_IN_PROGRESS') return { kind: 'delete' };
    const stores = Object.keys(rp.internal.data);
    for (const r of effective) {
      if (!holds(r, t) || stores.includes(r.dataStoreType) || stores.length === 0) continue;
      return { kind: 'copy', from: stores[0]!, to: r.dataStoreType, since: r.from };
    }
    const isNeeded = (s: string): boolean => needed.some((r) => r.dataStoreType === s);
    for (const s of stores) {
      if (!isNeeded(s) && stores.some((o) => o !== s && isNeeded(o))) return { kind: 'retire', store: s };
    }
  }
  const shown = describeDataStores(rp, now, hold);
  const same = JSON.stringify(shown.details) === JSON.stringify(rp.properties.recoveryPointDataStoresDetails) && shown.expiryTime === rp.properties.expiryTime;
  return same ? null : { kind: 'refresh' };
}

/** The point's details and expiry brought up to date (mutates and returns it). */
export function refreshDataStores(rp: RecoveryPointResource, now: Date, hold: Hold): RecoveryPointResource {
  const shown = describeDataStores(rp, now, hold);
  rp.properties.recoveryPointDataStoresDetails = shown.details;
  rp.properties.expiryTime = shown.expiryTime;
  return rp;
}
