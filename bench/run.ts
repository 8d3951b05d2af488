// dpvault's benchmark: full backup time, storage over weekly backups, restore time and the server's
// peak memory, each against baselines measured in the same run (pg_dump, pg_restore, restic, borg),
// on ../shared/bench/dataset.sql at a scale. Drives the service only through its CLI and HTTP API
// and reads its data directory's size; rewrites the generated sections of docs/benchmarks.md.
//
//   npm run bench                          # scale 10, 12 weeks, every phase (tens of minutes)
//   npm run bench -- --scale 1 --repeat 1  # a quick check that everything runs
//   npm run bench -- --only backup,restore
//   npm run bench -- --only latest --weeks 12 --repeat 3   # restore the latest point vs the first vs pg_restore
//   npm run bench -- --only scale --scale 100              # full + 4 weekly backups and a restore, peak memory
//   npm run bench -- --only objstore --scale 1 --repeat 2  # backup and restore on Azurite and s3rver vs the filesystem
//   npm run bench -- --only scaleout --databases 20 --workers 1,2  # workers on one PostgreSQL catalog, read latency, a 10,000-instance tick
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildSnapshot } from './lib/build.ts';
import { log, type RunContext } from './lib/context.ts';
import { describeMachine } from './lib/machine.ts';
import { parseOptions, type BenchOptions } from './lib/options.ts';
import { runBackupPhase, type BackupResult } from './lib/phase-backup.ts';
import { runRestorePhase, type RestoreResult } from './lib/phase-restore.ts';
import { runLatestPhase, type LatestResult } from './lib/phase-latest.ts';
import { CHURN_SCRIPTS, runWeeklyPhase, type SeriesEnd, type WeeklySeries } from './lib/phase-weekly.ts';
import { BenchCluster } from './lib/postgres.ts';
import { runObjStorePhase, type ObjStoreResult } from './lib/phase-objstore.ts';
import { objStoreTargets, renderObjStore } from './lib/render-objstore.ts';
import { runScaleOutPhase } from './lib/phase-scaleout.ts';
import { renderScaleOut, scaleOutTargets } from './lib/render-scaleout.ts';
import { backupTargets, renderBackup, renderMachine, renderRestore, renderSummary, renderWeekly, restoreTargets, weeklyTargets } from './lib/render.ts';
import { latestTargets, renderLatest, renderScale, scaleTargets } from './lib/render-latest.ts';
import { earlierTargets, updateReport, type SectionName, type Target } from './lib/report.ts';
import { toolVersion } from './lib/dedup.ts';

function options(): BenchOptions {
  try {
    return parseOptions(process.argv.slice(2));
  } catch (e) {
    console.error((e as Error).message);
    process.exit(2);
  }
}

/** dataset.sql loaded at the run's scale into the source database, vacuumed and written out. */
async function loadDataset(ctx: RunContext): Promise<void> {
  const { opts, pg } = ctx;
  log(`loading dataset.sql at scale ${opts.scale}`);
  await pg.createDatabase(ctx.sourceDb);
  const loadSeconds = await pg.psqlFile(ctx.sourceDb, join(opts.sqlDir, 'dataset.sql'), { scale: opts.scale });
  // Autovacuum would vacuum the freshly loaded tables about a minute later, and the kernel
  // write the loaded files out some 30 s later, each in the middle of whichever timed run was
  // going. Done now (vacuum, checkpoint, sync), every run starts from settled tables and a
  // clean page cache.
  const t0 = performance.now();
  await pg.cluster.query(ctx.sourceDb, 'VACUUM (ANALYZE)');
  await pg.settle();
  const dbBytes = await pg.databaseBytes(ctx.sourceDb);
  log(`loaded in ${loadSeconds.toFixed(1)} s, vacuumed and written out in ${((performance.now() - t0) / 1000).toFixed(1)} s: ${(dbBytes / 2 ** 20).toFixed(1)} MiB`);
}

async function main(): Promise<number> {
  const opts = options();
  for (const sig of ['SIGINT', 'SIGTERM'] as const) process.once(sig, () => process.exit(130));
  // The scale-out phase makes small databases of its own: dataset.sql only when another phase runs.
  const needsDataset = [...opts.only].some((p) => p !== 'scaleout');
  for (const f of needsDataset ? ['dataset.sql', ...CHURN_SCRIPTS] : []) {
    if (!existsSync(join(opts.sqlDir, f))) throw new Error(`${f} not found in ${opts.sqlDir}; pass --sql-dir.`);
  }
  const notes: string[] = [];
  if (opts.only.has('weekly')) {
    for (const [tool, pkg, args] of [['restic', 'restic', ['version']], ['borg', 'borgbackup', ['--version']]] as const) {
      if ((await toolVersion(tool, [...args])) === null) {
        const note = `${tool} is not installed: its baseline is skipped (Debian: \`apt-get install ${pkg}\`).`;
        console.log(`NOTE: ${note}`);
        notes.push(note);
      }
    }
  }
  if (opts.workDir) mkdirSync(opts.workDir, { recursive: true });
  const workDir = mkdtempSync(join(opts.workDir ?? tmpdir(), 'dpvault-bench-'));
  log(`work directory ${workDir}`);
  const build = await buildSnapshot(workDir);
  if (build.warnings) {
    console.log(`NOTE: tsc reported errors building src/ (it emitted all the same):\n${build.warnings.slice(0, 2000)}`);
    notes.push('tsc reported type errors in src/ when building this run\'s snapshot; the emitted code was benchmarked.');
  }
  const pg = await BenchCluster.start();
  const ctx: RunContext = { opts, pg, build, workDir, sourceDb: 'shop' };
  const sections: Partial<Record<SectionName, string>> = {};
  const targets: Target[] = [];
  let failure: unknown = null;
  let restore: RestoreResult | null = null;
  const restoredFromSeries: LatestResult[] = [];
  let objStoreDifferences: ObjStoreResult['differences'] = [];
  const machine = await describeMachine(pg.cluster.bindir);
  try {
    if (needsDataset) await loadDataset(ctx);
    if (opts.only.has('backup')) {
      const r: BackupResult = await runBackupPhase(ctx);
      sections.backup = renderBackup(r, machine, opts);
      targets.push(...backupTargets(r, opts));
    }
    if (opts.only.has('restore')) {
      restore = await runRestorePhase(ctx);
      sections.restore = renderRestore(restore, machine, opts);
      targets.push(...restoreTargets(restore));
    }
    // The latest-point phase restores from the weekly phase's churn.sql series when both run.
    let latest: LatestResult | null = null;
    if (opts.only.has('weekly')) {
      let series: WeeklySeries[] = [];
      const weekly = async (atEnd?: (end: SeriesEnd) => Promise<void>): Promise<void> => {
        series = await runWeeklyPhase(ctx, atEnd);
      };
      if (opts.only.has('latest')) latest = await runLatestPhase(ctx, 'latest', weekly);
      else await weekly();
      sections.weekly = renderWeekly(series, machine, opts);
      for (const s of series) targets.push(...weeklyTargets(s));
    }
    if (opts.only.has('latest')) {
      latest ??= await runLatestPhase(ctx, 'latest');
      restoredFromSeries.push(latest);
      sections.latest = renderLatest(latest, machine, opts);
      targets.push(...latestTargets(latest));
    }
    if (opts.only.has('objstore')) {
      const r = await runObjStorePhase(ctx);
      sections.objstore = renderObjStore(r, machine, opts);
      targets.push(...objStoreTargets(r));
      objStoreDifferences = r.differences.filter((d) => d.differences.length > 0);
    }
    if (opts.only.has('scaleout')) {
      const r = await runScaleOutPhase(ctx);
      sections.scaleout = renderScaleOut(r, machine, opts);
      targets.push(...scaleOutTargets(r));
    }
    if (opts.only.has('scale')) {
      const r = await runLatestPhase(ctx, 'scale');
      restoredFromSeries.push(r);
      sections.scale = renderScale(r, machine, opts);
      targets.push(...scaleTargets(r, opts));
    }
  } catch (e) {
    failure = e;
    notes.push(`The run stopped early: ${(e as Error).message.split('\n')[0]}`);
  } finally {
    sections.machine = renderMachine(machine, opts);
    const doc = existsSync(opts.out) ? readFileSync(opts.out, 'utf8') : '';
    const earlier = (['backup', 'restore', 'weekly', 'latest', 'scale', 'objstore', 'scaleout'] as const)
      .filter((phase) => !opts.only.has(phase))
      .flatMap((phase) => {
        const e = earlierTargets(doc, phase);
        return e ? [{ phase, ...e }] : [];
      });
    sections.summary = renderSummary(machine, opts, targets, notes, earlier);
    updateReport(opts.out, sections);
    log(`report written to ${opts.out}`);
    await pg.stop();
    // A failed run keeps its directory: the server logs are what says why it failed.
    if (!opts.keep && failure === null) rmSync(workDir, { recursive: true, force: true });
    else log(`kept ${workDir}${failure === null ? '' : ' (the run failed: its server logs are there)'}`);
  }
  for (const t of targets) log(`${t.met === null ? 'n/a' : t.met ? 'MET    ' : 'NOT MET'} ${t.what}: ${t.measured}`);
  if (failure) throw failure;
  for (const r of restoredFromSeries) {
    if (r.differences.length === 0) continue;
    console.error(`\nFAILED: the latest point dpvault restored (${r.kind} phase) differs from the churned database in ${r.differences.length} object(s):`);
    for (const d of r.differences.slice(0, 20)) console.error(`  ${d.object}: source ${d.a ?? 'missing'}, restored ${d.b ?? 'missing'}`);
    return 1;
  }
  for (const d of objStoreDifferences) {
    console.error(`\nFAILED: the database dpvault restored from ${d.backend} differs from the source in ${d.differences.length} object(s):`);
    for (const x of d.differences.slice(0, 20)) console.error(`  ${x.object}: source ${x.a ?? 'missing'}, restored ${x.b ?? 'missing'}`);
    return 1;
  }
  if (restore && restore.differences.length > 0) {
    console.error(`\nFAILED: the database dpvault restored differs from the source in ${restore.differences.length} object(s):`);
    for (const d of restore.differences.slice(0, 20)) console.error(`  ${d.object}: source ${d.a ?? 'missing'}, restored ${d.b ?? 'missing'}`);
    return 1;
  }
  return 0;
}

main().then(
  (code) => process.exit(code),
  (e: unknown) => {
    console.error(`\nFAILED: ${(e as Error).stack ?? String(e)}`);
    process.exit(1);
  },
);
