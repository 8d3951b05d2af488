// Measurement 2: `weeks` weekly backups with a churn script between them, for churn.sql and
// churn-uniform.sql each on its own copy of the source database. Every week: a `pg_dump -Fc` file
// (its size), a `pg_dump -Fc -Z0` file backed up into a restic and a borg repository (their
// defaults), and a dpvault backup into a data directory of its own, followed by `vault maintain`
// where the CLI has it (as a weekly schedule would run it); then each store's size. The latest-point
// and scale phases (phase-latest.ts) run the same series and restore from what it leaves.
import { mkdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { freshProtection, log, maxPeaks, peaksOf, type MemoryPeaks, type RunContext } from './context.ts';
import { openBorg, openRestic, type DedupRepo } from './dedup.ts';
import type { Protection } from './protect.ts';
import { dpvaultStoredBytes } from './sizes.ts';

export const CHURN_SCRIPTS = ['churn.sql', 'churn-uniform.sql'] as const;

export interface WeekRow {
  week: number;
  /** Churn before this week's backups (0 for the first week). */
  churnSeconds: number;
  fcBytes: number;
  z0Bytes: number;
  /** `pg_dump -Fc -Z0 -f` of this week's data (timed alone, before the other tools run). */
  z0Seconds: number;
  dpvaultTotal: number;
  dpvaultSeconds: number;
  resticTotal: number | null;
  resticSeconds: number | null;
  borgTotal: number | null;
  borgSeconds: number | null;
}

export interface WeeklySeries {
  script: string;
  weeks: WeekRow[];
  tools: { tool: string; version: string; settings: string }[];
  missing: string[];
  memory: MemoryPeaks;
  /** Whether `vault maintain` ran after each weekly backup (false: this dpvault has no such command). */
  maintained: boolean;
}

/** What a series leaves for a phase that restores from it, once its server has stopped. */
export interface SeriesEnd {
  series: WeeklySeries;
  /** The data directory and the protection in it (start a server on it to use it). */
  dataDir: string;
  protection: Protection;
  /** The churned database as of the last week, and a `pg_dump -Fc` file of it. */
  db: string;
  fcFile: string;
}

export interface SeriesOptions {
  /** Weekly backups (the first is the full one). */
  weeks: number;
  /** Back up into restic and borg beside dpvault (their sizes are the storage baselines). */
  dedupTools: boolean;
  /** Called after the last week, before the series' files and database are removed. */
  atEnd?: (end: SeriesEnd) => Promise<void>;
}

export async function runSeries(ctx: RunContext, script: string, so: SeriesOptions): Promise<WeeklySeries> {
  const { pg, opts } = ctx;
  const name = script.replace(/\.sql$/, '').replace(/[^a-z]/g, '');
  const db = `week${name}`;
  const dir = join(ctx.workDir, `weekly-${name}`);
  mkdirSync(dir, { recursive: true });
  await pg.dropDatabase(db);
  await pg.createDatabase(db, ctx.sourceDb);
  const repos: DedupRepo[] = [];
  const missing: string[] = [];
  for (const [tool, open] of so.dedupTools ? ([['restic', openRestic], ['borg', openBorg]] as const) : []) {
    const repo = await open(join(dir, tool));
    if (repo) repos.push(repo);
    else missing.push(tool);
  }
  const { dataDir, protection } = await freshProtection(ctx, `weekly-${name}`, db);
  const series: WeeklySeries = { script, weeks: [], tools: repos.map((r) => ({ tool: r.tool, version: r.version, settings: r.settings })), missing, memory: { serverKiB: 0, children: {} }, maintained: false };
  let memory: MemoryPeaks | undefined;
  const z0File = join(dir, 'dump', `${db}.dump`);
  const fcFile = join(dir, `${db}.fc.dump`);
  mkdirSync(join(dir, 'dump'), { recursive: true });
  let stopped = false;
  try {
    series.maintained = await protection.canMaintain();
    if (!series.maintained) log('weekly: this dpvault has no `vault maintain`; the series runs without maintenance');
    for (let week = 1; week <= so.weeks; week++) {
      const churnSeconds = week === 1 ? 0 : await pg.psqlFile(db, join(opts.sqlDir, script), { scale: opts.scale, week: week - 1 });
      rmSync(z0File, { force: true });
      const z0Seconds = await pg.dump(db, z0File, ['-Fc', '-Z0']);
      rmSync(fcFile, { force: true });
      // Only sizes are measured here, so the -Fc dump runs beside restic and borg.
      const times = new Map<string, number>();
      await Promise.all([
        pg.dump(db, fcFile, ['-Fc']),
        (async () => {
          for (const repo of repos) times.set(repo.tool, await repo.backup(z0File, week));
        })(),
      ]);
      const dpv = await protection.backup();
      if (series.maintained) await protection.maintain();
      const row: WeekRow = {
        week,
        churnSeconds,
        fcBytes: statSync(fcFile).size,
        z0Bytes: statSync(z0File).size,
        z0Seconds,
        dpvaultTotal: dpvaultStoredBytes(dataDir),
        dpvaultSeconds: dpv.seconds,
        resticTotal: repos.find((r) => r.tool === 'restic')?.bytes() ?? null,
        resticSeconds: times.get('restic') ?? null,
        borgTotal: repos.find((r) => r.tool === 'borg')?.bytes() ?? null,
        borgSeconds: times.get('borg') ?? null,
      };
      series.weeks.push(row);
      if (!(so.atEnd && week === so.weeks)) rmSync(fcFile, { force: true });
      const mib = (n: number | null) => (n === null ? '-' : `${(n / 2 ** 20).toFixed(1)} MiB`);
      log(`weekly ${script} week ${week}/${so.weeks}: dpvault ${mib(row.dpvaultTotal)}, restic ${mib(row.resticTotal)}, borg ${mib(row.borgTotal)}, -Fc file ${mib(row.fcBytes)}`);
    }
    memory = maxPeaks(memory, peaksOf(protection.server));
    await protection.server.stop();
    stopped = true;
    series.memory = memory;
    await so.atEnd?.({ series, dataDir, protection, db, fcFile });
  } finally {
    if (!stopped) await protection.server.stop();
  }
  await pg.dropDatabase(db);
  if (!opts.keep) rmSync(dir, { recursive: true, force: true });
  if (!opts.keep) rmSync(dataDir, { recursive: true, force: true });
  return series;
}

/** Both series with the dedup baselines; `atEnd` is given the churn.sql one's end (phase-latest.ts). */
export async function runWeeklyPhase(ctx: RunContext, atEnd?: (end: SeriesEnd) => Promise<void>): Promise<WeeklySeries[]> {
  const out: WeeklySeries[] = [];
  for (const script of CHURN_SCRIPTS) out.push(await runSeries(ctx, script, { weeks: ctx.opts.weeks, dedupTools: true, atEnd: script === 'churn.sql' ? atEnd : undefined }));
  return out;
}
