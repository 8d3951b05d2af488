// Measurement 2: `weeks` weekly backups with a churn script between them, for churn.sql and
// churn-uniform.sql each on its own copy of the source database. Every week: a `pg_dump -Fc` file
// (its size), a `pg_dump -Fc -Z0` file backed up into a restic and a borg repository (their
// defaults), and a dpvault backup into a data directory of its own; then each store's size.
import { mkdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { freshProtection, log, maxPeaks, peaksOf, type MemoryPeaks, type RunContext } from './context.ts';
import { openBorg, openRestic, type DedupRepo } from './dedup.ts';
import { dpvaultStoredBytes } from './sizes.ts';

export const CHURN_SCRIPTS = ['churn.sql', 'churn-uniform.sql'] as const;

export interface WeekRow {
  week: number;
  /** Churn before this week's backups (0 for the first week). */
  churnSeconds: number;
  fcBytes: number;
  z0Bytes: number;
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
}

async function runSeries(ctx: RunContext, script: string): Promise<WeeklySeries> {
  const { pg, opts } = ctx;
  const name = script.replace(/\.sql$/, '').replace(/[^a-z]/g, '');
  const db = `week${name}`;
  const dir = join(ctx.workDir, `weekly-${name}`);
  mkdirSync(dir, { recursive: true });
  await pg.dropDatabase(db);
  await pg.createDatabase(db, ctx.sourceDb);
  const repos: DedupRepo[] = [];
  const missing: string[] = [];
  for (const [tool, open] of [['restic', openRestic], ['borg', openBorg]] as const) {
    const repo = await open(join(dir, tool));
    if (repo) repos.push(repo);
    else missing.push(tool);
  }
  const { dataDir, protection } = await freshProtection(ctx, `weekly-${name}`, db);
  const series: WeeklySeries = { script, weeks: [], tools: repos.map((r) => ({ tool: r.tool, version: r.version, settings: r.settings })), missing, memory: { serverKiB: 0, children: {} } };
  let memory: MemoryPeaks | undefined;
  const z0File = join(dir, 'dump', `${db}.dump`);
  const fcFile = join(dir, `${db}.fc.dump`);
  mkdirSync(join(dir, 'dump'), { recursive: true });
  try {
    for (let week = 1; week <= opts.weeks; week++) {
      const churnSeconds = week === 1 ? 0 : await pg.psqlFile(db, join(opts.sqlDir, script), { scale: opts.scale, week: week - 1 });
      rmSync(z0File, { force: true });
      await pg.dump(db, z0File, ['-Fc', '-Z0']);
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
      const row: WeekRow = {
        week,
        churnSeconds,
        fcBytes: statSync(fcFile).size,
        z0Bytes: statSync(z0File).size,
        dpvaultTotal: dpvaultStoredBytes(dataDir),
        dpvaultSeconds: dpv.seconds,
        resticTotal: repos.find((r) => r.tool === 'restic')?.bytes() ?? null,
        resticSeconds: times.get('restic') ?? null,
        borgTotal: repos.find((r) => r.tool === 'borg')?.bytes() ?? null,
        borgSeconds: times.get('borg') ?? null,
      };
      series.weeks.push(row);
      rmSync(fcFile, { force: true });
      const mib = (n: number | null) => (n === null ? '-' : `${(n / 2 ** 20).toFixed(1)} MiB`);
      log(`weekly ${script} week ${week}/${opts.weeks}: dpvault ${mib(row.dpvaultTotal)}, restic ${mib(row.resticTotal)}, borg ${mib(row.borgTotal)}, -Fc file ${mib(row.fcBytes)}`);
    }
    memory = maxPeaks(memory, peaksOf(protection.server));
  } finally {
    await protection.server.stop();
  }
  series.memory = memory!;
  await pg.dropDatabase(db);
  if (!opts.keep) rmSync(dir, { recursive: true, force: true });
  if (!opts.keep) rmSync(dataDir, { recursive: true, force: true });
  return series;
}

export async function runWeeklyPhase(ctx: RunContext): Promise<WeeklySeries[]> {
  const out: WeeklySeries[] = [];
  for (const script of CHURN_SCRIPTS) out.push(await runSeries(ctx, script));
  return out;
}
