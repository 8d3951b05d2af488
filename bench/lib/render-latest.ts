// The generated sections of the latest-point and scale phases (phase-latest.ts): restore times
// against `pg_restore -d` of the same data in the same run, the series' backups and storage, and
// peak memory, with issue 14's targets.
import type { Machine } from './machine.ts';
import type { BenchOptions } from './options.ts';
import type { LatestResult } from './phase-latest.ts';
import { median } from './proc.ts';
import { memoryRows, memoryTarget, runLine } from './render.ts';
import { mib, ratio, secs, table, targetTable, type Target } from './report.ts';

const equalTarget = (r: LatestResult): Target => ({
  what: 'the restored latest point equals the churned database (compareDatabases)',
  measured: r.differences.length === 0 ? 'equal' : `${r.differences.length} difference(s)`,
  met: r.differences.length === 0,
});

const maintenance = (r: LatestResult): string =>
  r.series.maintained ? '`vault maintain` ran after each weekly backup.' : 'This dpvault has no `vault maintain` yet: the series ran without maintenance (repacking).';

/** A week's stored bytes over the full backup's, for each week after the first. */
function addedShares(r: LatestResult): number[] {
  const w = r.series.weeks;
  return w.slice(1).map((row, i) => (row.dpvaultTotal - w[i]!.dpvaultTotal) / w[0]!.dpvaultTotal);
}

export function latestTargets(r: LatestResult): Target[] {
  const base = median(r.pgRestoreSeconds);
  const weeks = r.series.weeks.length;
  const stated = weeks === 12 ? '' : ` (stated for 12 weeks; ${weeks} here)`;
  const latest = median(r.latestSeconds);
  const first = median(r.firstSeconds);
  return [
    { what: `restore of the latest point after the weekly series ≤ 1.0x \`pg_restore -d\`${stated}`, measured: ratio(latest / base), met: latest <= base },
    { what: 'restore of the first point ≤ 1.0x `pg_restore -d` (same run)', measured: ratio(first / base), met: first <= base },
    equalTarget(r),
    memoryTarget('server peak memory during the restores < 256 MB', r.memory, 256),
  ];
}

export function scaleTargets(r: LatestResult, o: BenchOptions): Target[] {
  const full = r.series.weeks[0]!;
  const worst = Math.max(0, ...addedShares(r));
  const stated = o.scale === 100 ? '' : ` (stated for scale 100; scale ${o.scale} here)`;
  return [
    { what: `full backup ≤ 1.2x \`pg_dump -Fc -Z0 -f\`${stated}`, measured: ratio(full.dpvaultSeconds / full.z0Seconds), met: full.dpvaultSeconds <= 1.2 * full.z0Seconds },
    { what: `each later week adds ≤ 0.1 of a full${stated}`, measured: `worst week adds ${worst.toFixed(3)}`, met: r.series.weeks.length > 1 ? worst <= 0.1 : null },
    memoryTarget(`server peak memory during backups${r.series.maintained ? ' and maintenance' : ''} < 256 MB${stated}`, r.series.memory, 256),
    memoryTarget(`server peak memory during the restore < 256 MB${stated}`, r.memory, 256),
    equalTarget(r),
  ];
}

export function renderLatest(r: LatestResult, m: Machine, o: BenchOptions): string {
  const base = median(r.pgRestoreSeconds);
  const row = (name: string, xs: number[]) => [name, xs.map(secs).join(', '), secs(median(xs)), ratio(median(xs) / base)];
  return `## 4. Restore of the latest point after ${r.series.weeks.length} weekly backups (churn.sql)

${runLine(m, o)} ${maintenance(r)} The three restores ran in turn, each round starting with the next
one, on a fresh server over the series' data directory; \`pg_restore -d\` restores a \`-Fc\` file of
the latest week's data.

${table(['what', 'runs (s)', 'median (s)', '÷ pg_restore'], [
  row('`CREATE DATABASE` + `pg_restore -d` from a local `-Fc` file of the latest week', r.pgRestoreSeconds),
  row('**dpvault, latest point**: `restore trigger` → job Completed', r.latestSeconds),
  row('dpvault, first point (the full backup)', r.firstSeconds),
], ['l', 'r', 'r', 'r'])}

${table(['peak memory during the restores', 'value'], memoryRows(`${o.repeat} round(s) on a fresh server`, r.memory), ['l', 'r'])}

${targetTable(latestTargets(r))}`;
}

export function renderScale(r: LatestResult, m: Machine, o: BenchOptions): string {
  const shares = addedShares(r);
  return `## 5. Scale: a full backup, four weekly ones and a restore

${runLine(m, o)} ${maintenance(r)} One run of each; \`pg_dump -Fc -Z0\` is timed each week on the
same data just before dpvault's backup.

${table(['week', 'dpvault backup (s)', 'pg_dump -Fc -Z0 (s)', 'stored after', 'added ÷ full'], r.series.weeks.map((w, i) => [
  w.week, secs(w.dpvaultSeconds), secs(w.z0Seconds), mib(w.dpvaultTotal), i === 0 ? '' : shares[i - 1]!.toFixed(3),
]), ['r', 'r', 'r', 'r', 'r'])}

${table(['restore of the latest point', 'seconds', '÷ pg_restore'], [
  ['`CREATE DATABASE` + `pg_restore -d`', secs(median(r.pgRestoreSeconds)), ''],
  ['**dpvault**', secs(median(r.latestSeconds)), ratio(median(r.latestSeconds) / median(r.pgRestoreSeconds))],
], ['l', 'r', 'r'])}

${table(['peak memory', 'value'], [...memoryRows('backups' + (r.series.maintained ? ' and maintenance' : ''), r.series.memory), ...memoryRows('the restore, on a fresh server', r.memory)], ['l', 'r'])}

${targetTable(scaleTargets(r, o))}`;
}
