// Measurement 1 (and the backup half of 4): a full backup of the source database by dpvault, from
// `adhoc-backup` to the job's end, against `pg_dump -Fc` and `pg_dump -Fc -Z0` to a file, run in
// turn `repeat` times, each round starting with the next contender, so that none always runs
// right after the 16 s of `pg_dump -Fc` (or any other). Every dpvault run starts a new server on
// an empty data directory, so each is a real first full (a deduplicating store would otherwise
// find every chunk already stored) and the server's VmHWM covers exactly one backup.
import { rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { freshProtection, log, maxPeaks, peaksOf, type MemoryPeaks, type RunContext } from './context.ts';
import { dpvaultStateBytes, dpvaultStoredBytes } from './sizes.ts';
import { rotated } from './proc.ts';

export interface BackupResult {
  dbBytes: number;
  fcSeconds: number[];
  z0Seconds: number[];
  /** CLI call to job end. */
  dpvaultSeconds: number[];
  /** The job's own startTime → endTime. */
  dpvaultJobSeconds: number[];
  fcBytes: number;
  z0Bytes: number;
  /** Backup data in the data directory after one full. */
  dpvaultStoredBytes: number;
  /** Catalog and master key, not counted in dpvaultStoredBytes. */
  dpvaultStateBytes: number;
  memory: MemoryPeaks;
}

export async function runBackupPhase(ctx: RunContext): Promise<BackupResult> {
  const { pg, sourceDb, opts } = ctx;
  const fcFile = join(ctx.workDir, 'full.fc.dump');
  const z0File = join(ctx.workDir, 'full.z0.dump');
  log('backup: warming the page cache with one pg_dump -Fc -Z0');
  await pg.dump(sourceDb, z0File, ['-Fc', '-Z0']);
  const r: BackupResult = {
    dbBytes: await pg.databaseBytes(sourceDb),
    fcSeconds: [],
    z0Seconds: [],
    dpvaultSeconds: [],
    dpvaultJobSeconds: [],
    fcBytes: 0,
    z0Bytes: 0,
    dpvaultStoredBytes: 0,
    dpvaultStateBytes: 0,
    memory: { serverKiB: 0, children: {} },
  };
  let memory: MemoryPeaks | undefined;
  const z0 = async (i: number): Promise<void> => {
    rmSync(z0File, { force: true });
    r.z0Seconds.push(await pg.dump(sourceDb, z0File, ['-Fc', '-Z0']));
    r.z0Bytes = statSync(z0File).size;
    rmSync(z0File, { force: true });
    log(`backup ${i}/${opts.repeat}: pg_dump -Fc -Z0 ${r.z0Seconds.at(-1)!.toFixed(2)} s`);
  };
  const fc = async (i: number): Promise<void> => {
    rmSync(fcFile, { force: true });
    r.fcSeconds.push(await pg.dump(sourceDb, fcFile, ['-Fc']));
    r.fcBytes = statSync(fcFile).size;
    log(`backup ${i}/${opts.repeat}: pg_dump -Fc ${r.fcSeconds.at(-1)!.toFixed(2)} s`);
  };
  const dpvault = async (i: number): Promise<void> => {
    if (ctx.backedUp) rmSync(ctx.backedUp.dataDir, { recursive: true, force: true });
    const { dataDir, protection } = await freshProtection(ctx, `backup-${i}`, sourceDb);
    try {
      const run = await protection.backup();
      r.dpvaultSeconds.push(run.seconds);
      r.dpvaultJobSeconds.push(run.jobSeconds);
      memory = maxPeaks(memory, peaksOf(protection.server));
    } finally {
      await protection.server.stop();
    }
    r.dpvaultStoredBytes = dpvaultStoredBytes(dataDir);
    r.dpvaultStateBytes = dpvaultStateBytes(dataDir);
    ctx.backedUp = { dataDir, protection };
    log(`backup ${i}/${opts.repeat}: dpvault ${r.dpvaultSeconds.at(-1)!.toFixed(2)} s (job ${r.dpvaultJobSeconds.at(-1)!.toFixed(2)} s), server peak ${(memory!.serverKiB / 1024).toFixed(1)} MiB`);
  };
  for (let i = 1; i <= opts.repeat; i++) {
    for (const contender of rotated([z0, fc, dpvault], i - 1)) {
      await pg.settle();
      await contender(i);
    }
  }
  ctx.fcDump = fcFile;
  r.memory = memory!;
  return r;
}
