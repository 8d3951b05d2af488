// Backups that leave the machine: a full backup and a restore as a new database by dpvault with its
// backup data on the filesystem (the data directory), on Azure Blob (an Azurite) and on S3 (an
// s3rver), run in turn `repeat` times, each round starting with the next backend, so the object
// stores are measured as ratios against the filesystem of the same run on the same machine. Every
// run starts a new server on an empty data directory (and a new prefix in the bucket or
// container), so each backup is a real first full; its VmHWM covers that backup and its restore.
// The first restore from each object store is compared with the source table by table.
import { rmSync } from 'node:fs';
import type { DbDifference } from '../../test/support/pg-compare.ts';
import { startAzurite, startS3rver, type ObjectStorePeer } from '../../test/support/object-stores.ts';
import { freshProtection, log, maxPeaks, peaksOf, type MemoryPeaks, type RunContext } from './context.ts';
import { rotated } from './proc.ts';

export const BACKENDS = ['fs', 'azblob', 's3'] as const;
export type Backend = (typeof BACKENDS)[number];

export interface BackendRuns {
  /** `adhoc-backup` → job Completed. */
  backupSeconds: number[];
  /** `restore trigger` → job Completed. */
  restoreSeconds: number[];
  memory: MemoryPeaks;
}

export interface ObjStoreResult {
  runs: Record<Backend, BackendRuns>;
  /** Differences between the source and the first restore from each object store. */
  differences: { backend: Backend; differences: DbDifference[] }[];
}

export async function runObjStorePhase(ctx: RunContext): Promise<ObjStoreResult> {
  const { pg, sourceDb, opts } = ctx;
  log('objstore: starting an Azurite and an s3rver');
  const peers: Partial<Record<Backend, ObjectStorePeer>> = {};
  [peers.azblob, peers.s3] = await Promise.all([startAzurite(), startS3rver()]);
  const empty = (): BackendRuns => ({ backupSeconds: [], restoreSeconds: [], memory: { serverKiB: 0, children: {} } });
  const r: ObjStoreResult = { runs: { fs: empty(), azblob: empty(), s3: empty() }, differences: [] };
  const peaks: Partial<Record<Backend, MemoryPeaks>> = {};
  const runOn = (backend: Backend) => async (i: number): Promise<void> => {
    const peer = peers[backend];
    const extra = peer ? { args: ['--storage', peer.url('bench', `run-${i}`)], env: peer.env } : {};
    const { dataDir, protection } = await freshProtection(ctx, `objstore-${backend}-${i}`, sourceDb, extra);
    const target = `objrestored_${backend}_${i}`;
    try {
      const backup = await protection.backup();
      const restore = await protection.restoreAsDatabase(await protection.latestRecoveryPoint(), target);
      const runs = r.runs[backend];
      runs.backupSeconds.push(backup.seconds);
      runs.restoreSeconds.push(restore.seconds);
      peaks[backend] = maxPeaks(peaks[backend], peaksOf(protection.server));
      log(`objstore ${i}/${opts.repeat} ${backend}: backup ${backup.seconds.toFixed(2)} s, restore ${restore.seconds.toFixed(2)} s, server peak ${(peaks[backend]!.serverKiB / 1024).toFixed(1)} MiB`);
      if (i === 1 && peer) {
        const differences = await pg.compare(sourceDb, target);
        r.differences.push({ backend, differences });
        log(`objstore: compareDatabases(${sourceDb}, ${target}) → ${differences.length === 0 ? 'equal' : `${differences.length} difference(s)`}`);
      }
    } finally {
      await protection.server.stop();
      await pg.dropDatabase(target).catch(() => undefined);
      rmSync(dataDir, { recursive: true, force: true });
    }
  };
  try {
    for (let i = 1; i <= opts.repeat; i++) {
      for (const contender of rotated(BACKENDS.map(runOn), i - 1)) {
        await pg.settle();
        await contender(i);
      }
    }
  } finally {
    await Promise.all([peers.azblob?.stop(), peers.s3?.stop()]);
  }
  for (const b of BACKENDS) r.runs[b].memory = peaks[b]!;
  return r;
}
