// What a vault's storage held over time, from the records it keeps (the Backup center's chart):
// the logical bytes (the dumps' sizes) of the recovery points alive at each backup's time, by
// their retention timelines, and the stored bytes (packs after deduplication, compression and
// encryption) that each completed maintenance job measured, plus both now. No stored-bytes figure
// is made up between two measurements. Pure: records in, samples out.
import type { JobResource } from '../domain/job.ts';
import type { RecoveryPointResource } from '../domain/recovery-point.ts';

export interface StorageSample {
  time: string;
  /** Bytes of the dumps of the recovery points alive then (every datastore). */
  logicalBytes?: number;
  /** Bytes the vault's storage held then, as measured (maintenance, or now). */
  storedBytes?: number;
}

/** Whether the point lives in some datastore at `t` (created by then, not yet expired everywhere). */
function aliveAt(rp: RecoveryPointResource, t: number): boolean {
  if (Date.parse(rp.properties.recoveryPointTime) > t) return false;
  const timeline = rp.internal.timeline;
  if (!timeline.length) return true;
  return timeline.some((r) => Date.parse(r.from) <= t && (r.until === null || Date.parse(r.until) > t));
}

const logicalAt = (points: readonly RecoveryPointResource[], t: number): number =>
  points.reduce((sum, rp) => sum + (aliveAt(rp, t) ? rp.internal.size : 0), 0);

/**
 * Samples in time order: one per recovery point's time (logical), one per completed maintenance job
 * (stored, and logical at that time), and `now` with both (`storedNow`: the storage's bytes now).
 */
export function storageHistory(points: readonly RecoveryPointResource[], jobs: readonly JobResource[], now: Date, storedNow: number): StorageSample[] {
  const samples = new Map<number, StorageSample>();
  const at = (t: number): StorageSample => {
    let s = samples.get(t);
    if (!s) samples.set(t, (s = { time: new Date(t).toISOString(), logicalBytes: logicalAt(points, t) }));
    return s;
  };
  for (const rp of points) at(Date.parse(rp.properties.recoveryPointTime));
  for (const { properties: p } of jobs) {
    const measured = Number(p.extendedInfo.additionalDetails?.StoredBytes);
    if (p.operation !== 'Maintenance' || p.status !== 'Completed' || !p.endTime || !Number.isFinite(measured)) continue;
    at(Date.parse(p.endTime)).storedBytes = measured;
  }
  at(now.getTime()).storedBytes = storedNow;
  return [...samples.entries()].filter(([t]) => t <= now.getTime()).sort(([a], [b]) => a - b).map(([, s]) => s);
}
