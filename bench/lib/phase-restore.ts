// Measurement 3 (and the restore half of 4): restore as a new database, dpvault (from `restore
// trigger` to the job's end) against CREATE DATABASE + `pg_restore -d` from a local `pg_dump -Fc`
// file, run in turn `repeat` times on the same cluster, each round starting with the other. The
// restores run on a new server process over the data directory of a finished backup, so its
// VmHWM covers restores only. The first dpvault restore is compared with the source table by
// table; a difference fails the run.
import { join } from 'node:path';
import type { DbDifference } from '../../test/support/pg-compare.ts';
import { freshProtection, log, peaksOf, type MemoryPeaks, type RunContext } from './context.ts';
import { rotated } from './proc.ts';
import { DpvaultServer, serverLog } from './server.ts';
import { DEFAULT_RESTORE_MAINTENANCE_WORK_MEM, pgOptions, restoreSessionSettings } from '../../src/sources/postgres/restore-settings.ts';

export interface RestoreResult {
  pgRestoreSeconds: number[];
  /** `pg_restore -d` with the session settings dpvault's restores use (restore-settings.ts), for comparison only. */
  pgRestoreTunedSeconds: number[];
  createDbSeconds: number[];
  dpvaultSeconds: number[];
  dpvaultJobSeconds: number[];
  differences: DbDifference[];
  compareSeconds: number;
  memory: MemoryPeaks;
}

export async function runRestorePhase(ctx: RunContext): Promise<RestoreResult> {
  const { pg, sourceDb, opts } = ctx;
  if (!ctx.fcDump) {
    ctx.fcDump = join(ctx.workDir, 'full.fc.dump');
    log('restore: making the pg_dump -Fc file to restore from');
    await pg.dump(sourceDb, ctx.fcDump, ['-Fc']);
  }
  if (!ctx.backedUp) {
    log('restore: backing the source up with dpvault first');
    const made = await freshProtection(ctx, 'backup-for-restore', sourceDb);
    try {
      await made.protection.backup();
    } finally {
      await made.protection.server.stop();
    }
    ctx.backedUp = made;
  }
  const server = await DpvaultServer.start(ctx.build.entry, ctx.backedUp.dataDir, serverLog(ctx.workDir, 'restore'));
  const r: RestoreResult = { pgRestoreSeconds: [], pgRestoreTunedSeconds: [], createDbSeconds: [], dpvaultSeconds: [], dpvaultJobSeconds: [], differences: [], compareSeconds: 0, memory: { serverKiB: 0, children: {} } };
  try {
    const protection = ctx.backedUp.protection.on(server);
    const rp = await protection.latestRecoveryPoint();
    const pgRestore = async (i: number): Promise<void> => {
      const base = `pgrestored${i}`;
      const times = await pg.restore(ctx.fcDump!, base);
      r.createDbSeconds.push(times.createSeconds);
      r.pgRestoreSeconds.push(times.createSeconds + times.restoreSeconds);
      await pg.dropDatabase(base);
      log(`restore ${i}/${opts.repeat}: CREATE DATABASE + pg_restore -d ${r.pgRestoreSeconds.at(-1)!.toFixed(2)} s`);
    };
    // The same with the settings dpvault's own pg_restore sessions get: what of dpvault's time
    // is those settings, which anyone can give pg_restore, rather than dpvault.
    const pgRestoreTuned = async (i: number): Promise<void> => {
      const base = `pgrestoredtuned${i}`;
      const times = await pg.restore(ctx.fcDump!, base, pgOptions(restoreSessionSettings(64 * 1024 ** 2, DEFAULT_RESTORE_MAINTENANCE_WORK_MEM)));
      r.pgRestoreTunedSeconds.push(times.createSeconds + times.restoreSeconds);
      await pg.dropDatabase(base);
      log(`restore ${i}/${opts.repeat}: CREATE DATABASE + pg_restore -d with dpvault's session settings ${r.pgRestoreTunedSeconds.at(-1)!.toFixed(2)} s`);
    };
    const dpvault = async (i: number): Promise<void> => {
      const target = `dpvrestored${i}`;
      const run = await protection.restoreAsDatabase(rp, target);
      r.dpvaultSeconds.push(run.seconds);
      r.dpvaultJobSeconds.push(run.jobSeconds);
      log(`restore ${i}/${opts.repeat}: dpvault ${run.seconds.toFixed(2)} s (job ${run.jobSeconds.toFixed(2)} s)`);
      if (i === 1) {
        const t0 = performance.now();
        r.differences = await pg.compare(sourceDb, target);
        r.compareSeconds = (performance.now() - t0) / 1000;
        log(`restore: compareDatabases(${sourceDb}, ${target}) → ${r.differences.length === 0 ? 'equal' : `${r.differences.length} difference(s)`}`);
      }
      await pg.dropDatabase(target);
    };
    // Each round starts with the other contender, so neither always runs right after the other.
    for (let i = 1; i <= opts.repeat; i++) {
      for (const contender of rotated([pgRestore, dpvault, pgRestoreTuned], i - 1)) {
        await pg.settle();
        await contender(i);
      }
    }
    r.memory = peaksOf(server);
  } finally {
    await server.stop();
  }
  return r;
}
