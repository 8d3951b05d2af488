// Measurement 5 (issue 14): what users restore. After a weekly series of churn.sql backups
// (phase-weekly.ts, with `vault maintain` after each backup where the CLI has it), restore the
// latest recovery point and the first, and `pg_restore -d` a `-Fc` file of the latest week's data,
// in turn, `repeat` times, on a fresh server over the series' data directory (its VmHWM covers the
// restores only). The scale phase is the same at a size: a full backup and four weekly ones, then
// one restore of the latest point beside one `pg_restore -d`, with the peak memory of the backups
// (and maintenance) and of the restore. The first restore of the latest point is compared with the
// churned database; a difference fails the run.
import type { DbDifference } from '../../test/support/pg-compare.ts';
import { log, peaksOf, type MemoryPeaks, type RunContext } from './context.ts';
import { runSeries, type SeriesEnd, type WeeklySeries } from './phase-weekly.ts';
import { rotated } from './proc.ts';
import { DpvaultServer, serverLog } from './server.ts';

export interface LatestResult {
  kind: 'latest' | 'scale';
  series: WeeklySeries;
  /** Wall seconds per contender, in the order of rounds. */
  pgRestoreSeconds: number[];
  latestSeconds: number[];
  firstSeconds: number[];
  differences: DbDifference[];
  /** Peak memory of the restores (a fresh server). */
  memory: MemoryPeaks;
}

/** Weekly backups in the scale phase: the full one and four more. */
export const SCALE_WEEKS = 5;

/** Restores from what a series left: `pg_restore -d`, the latest point and (optionally) the first, in turn. */
async function restoreFromSeries(ctx: RunContext, end: SeriesEnd, r: LatestResult, rounds: number, withFirst: boolean): Promise<void> {
  const { pg } = ctx;
  const server = await DpvaultServer.start(ctx.build.entry, end.dataDir, serverLog(ctx.workDir, `${r.kind}-restore`));
  try {
    const protection = end.protection.on(server);
    const points = await protection.recoveryPoints();
    const tag = r.kind;
    const pgRestore = async (i: number): Promise<void> => {
      const target = `${tag}pgrestored${i}`;
      const t = await pg.restore(end.fcFile, target);
      r.pgRestoreSeconds.push(t.createSeconds + t.restoreSeconds);
      await pg.dropDatabase(target);
      log(`${tag} ${i}/${rounds}: CREATE DATABASE + pg_restore -d ${r.pgRestoreSeconds.at(-1)!.toFixed(2)} s`);
    };
    const dpvault = (which: 'latest' | 'first') => async (i: number): Promise<void> => {
      const target = `${tag}${which}${i}`;
      const run = await protection.restoreAsDatabase(which === 'latest' ? points.at(-1)! : points[0]!, target);
      (which === 'latest' ? r.latestSeconds : r.firstSeconds).push(run.seconds);
      log(`${tag} ${i}/${rounds}: dpvault ${which} point (of ${points.length}) ${run.seconds.toFixed(2)} s`);
      if (which === 'latest' && i === 1) {
        r.differences = await pg.compare(end.db, target);
        log(`${tag}: latest point restored vs ${end.db} → ${r.differences.length === 0 ? 'equal' : `${r.differences.length} difference(s)`}`);
      }
      await pg.dropDatabase(target);
    };
    const contenders = [pgRestore, dpvault('latest'), ...(withFirst ? [dpvault('first')] : [])];
    for (let i = 1; i <= rounds; i++) {
      for (const contender of rotated(contenders, i - 1)) {
        await pg.settle();
        await contender(i);
      }
    }
    r.memory = peaksOf(server);
  } finally {
    await server.stop();
  }
}

/** The latest-point phase (`latest`) or the scale phase (`scale`). */
export async function runLatestPhase(ctx: RunContext, kind: 'latest' | 'scale', series?: (atEnd: (end: SeriesEnd) => Promise<void>) => Promise<void>): Promise<LatestResult> {
  const r: LatestResult = { kind, series: undefined as unknown as WeeklySeries, pgRestoreSeconds: [], latestSeconds: [], firstSeconds: [], differences: [], memory: { serverKiB: 0, children: {} } };
  const atEnd = async (end: SeriesEnd): Promise<void> => {
    r.series = end.series;
    await restoreFromSeries(ctx, end, r, kind === 'latest' ? ctx.opts.repeat : 1, kind === 'latest');
  };
  // The weekly phase, when it runs too, hands over its churn.sql series instead of running another.
  if (series) await series(atEnd);
  else await runSeries(ctx, 'churn.sql', { weeks: kind === 'latest' ? ctx.opts.weeks : SCALE_WEEKS, dedupTools: false, atEnd });
  if (!r.series) throw new Error(`the ${kind} phase got no weekly series to restore from`);
  return r;
}
