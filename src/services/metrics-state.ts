// The metrics that are state, computed from the catalog's records at each scrape (metrics-scrape.ts
// reads them): when each backup instance last backed up successfully and how often its policy
// asks for a backup, recovery points and the bytes they hold per vault and datastore. Pure: records in, samples out.
import type { BackupInstanceResource } from '../domain/backup-instance.ts';
import type { JobResource } from '../domain/job.ts';
import type { PolicyResource } from '../domain/policy.ts';
import { backupScheduleOf } from '../policy/policy-rules.ts';
import { nominalMs } from '../policy/time/duration.ts';
import { occurrences } from '../policy/time/interval.ts';
import type { RecoveryPointResource } from '../domain/recovery-point.ts';

export interface Sample {
  labels: Record<string, string>;
  value: number;
}

/** The vault's name in a resource id under it (`.../backupVaults/{vault}/...`). */
export function vaultNameOf(id: string): string {
  const parts = id.split('/');
  const i = parts.findIndex((p) => p.toLowerCase() === 'backupvaults');
  return i >= 0 ? (parts[i + 1] ?? '') : '';
}

/** Per vault and backup instance, the end of its newest completed backup job, in Unix seconds. */
export function lastBackupSuccess(jobs: readonly JobResource[]): Sample[] {
  const newest = new Map<string, Sample>();
  for (const { properties: p } of jobs) {
    if (p.operationCategory !== 'Backup' || p.status !== 'Completed' || !p.endTime || !p.backupInstanceId) continue;
    const labels = { vault: p.vaultName, instance: p.backupInstanceId.split('/').pop()! };
    const value = Date.parse(p.endTime) / 1000;
    const key = `${labels.vault}\0${labels.instance}`;
    if ((newest.get(key)?.value ?? -Infinity) < value) newest.set(key, { labels, value });
  }
  return [...newest.values()];
}

/** Per vault and datastore (VaultStore, ArchiveStore): how many recovery points, and the logical bytes they hold (the dumps' sizes). */
export function pointsByDatastore(points: readonly RecoveryPointResource[]): { points: Sample[]; logicalBytes: Sample[] } {
  const counts = new Map<string, { vault: string; datastore: string; points: number; bytes: number }>();
  for (const rp of points) {
    const vault = vaultNameOf(rp.id);
    for (const d of rp.properties.recoveryPointDataStoresDetails) {
      const key = `${vault}\0${d.type}`;
      const c = counts.get(key) ?? { vault, datastore: d.type, points: 0, bytes: 0 };
      c.points++;
      c.bytes += rp.internal.data[d.type]?.size ?? 0;
      counts.set(key, c);
    }
  }
  const all = [...counts.values()];
  return {
    points: all.map((c) => ({ labels: { vault: c.vault, datastore: c.datastore }, value: c.points })),
    logicalBytes: all.map((c) => ({ labels: { vault: c.vault, datastore: c.datastore }, value: c.bytes })),
  };
}

/**
 * Per vault and protected backup instance (protection configured, not suspended or stopped), the
 * longest gap between two consecutive backups its policy's schedule asks for, in seconds, around
 * `now` (Sunday, Wednesday and Friday weekly: 3 days): the alert rules compare the time since the
 * last success with twice this. Instances whose policy is gone or has no schedule have no sample.
 */
export function backupIntervals(instances: readonly BackupInstanceResource[], policies: ReadonlyMap<string, PolicyResource>, now: Date): Sample[] {
  const out: Sample[] = [];
  for (const bi of instances) {
    if (bi.properties.currentProtectionState !== 'ProtectionConfigured') continue;
    const policy = policies.get(bi.properties.policyInfo.policyId.toLowerCase());
    if (!policy) continue;
    let schedule;
    try {
      schedule = backupScheduleOf(policy);
    } catch {
      continue;
    }
    const longest = Math.max(0, ...schedule.intervals.map((i) => nominalMs(i.period)));
    if (!longest) continue;
    const around = occurrences(schedule.intervals, schedule.timeZone, new Date(now.getTime() - 2 * longest), new Date(now.getTime() + 2 * longest));
    let gap = 0;
    for (let k = 1; k < around.length; k++) gap = Math.max(gap, around[k]!.getTime() - around[k - 1]!.getTime());
    out.push({ labels: { vault: vaultNameOf(bi.id), instance: bi.name }, value: (gap || longest) / 1000 });
  }
  return out;
}
