// The generated sections of docs/benchmarks.md, from one run's results: raw seconds and bytes,
// ratios against the baselines of the same run, and whether each target of the storage-engine and
// protection issues is met.
import type { MemoryPeaks } from './context.ts';
import { loadNow, type Machine } from './machine.ts';
import { DEFAULT_PHASES, type BenchOptions } from './options.ts';
import type { BackupResult } from './phase-backup.ts';
import type { RestoreResult } from './phase-restore.ts';
import type { WeeklySeries } from './phase-weekly.ts';
import { median } from './proc.ts';
import { bytesCell, kibAsMib, mib, ratio, secs, table, targetTable, type Target } from './report.ts';

/** Memory limits are in MB of 10^6 bytes, the stricter reading. */
const MB = 1_000_000;

export function runLine(m: Machine, o: BenchOptions): string {
  return `_Measured ${m.date}, scale ${o.scale}, dpvault ${m.git}._`;
}

function commandLine(o: BenchOptions): string {
  const args = [
    o.scale !== 10 ? `--scale ${o.scale}` : '',
    o.weeks !== 12 ? `--weeks ${o.weeks}` : '',
    o.repeat !== 3 ? `--repeat ${o.repeat}` : '',
    [...o.only].join() !== DEFAULT_PHASES.join() ? `--only ${[...o.only].join(',')}` : '',
  ].filter(Boolean);
  return `npm run bench${args.length ? ` -- ${args.join(' ')}` : ''}`;
}

export function renderMachine(m: Machine, o: BenchOptions): string {
  return `## Machine and settings of the last run

${table(['what', 'value'], [
  ['date', m.date],
  ['CPU', `${m.nproc} × ${m.cpu}`],
  ['memory', m.memTotal],
  ['kernel', m.kernel],
  ['load average (1 / 5 / 15 min)', `${m.loadAtStart} at the start, ${loadNow()} at the end (the bench itself adds about 1)`],
  ['Node.js', m.node],
  ['PostgreSQL server', m.postgres],
  ['pg_dump / pg_restore', m.pgDump],
  ['restic', m.restic ?? 'not installed: skipped'],
  ['borg', m.borg ?? 'not installed: skipped'],
  ['dpvault', m.git],
  ['dataset', `dataset.sql at scale ${o.scale}; ${o.weeks} weekly backups; ${o.repeat} timed run(s) per backup and restore (medians compared)`],
  ['command', `\`${commandLine(o)}\``],
])}`;
}

export function memoryRows(label: string, p: MemoryPeaks): (string | number)[][] {
  const rows: (string | number)[][] = [[`dpvault server (pid VmHWM), ${label}`, kibAsMib(p.serverKiB)]];
  for (const [name, kib] of Object.entries(p.children).sort()) rows.push([`its child \`${name}\` (highest VmHWM seen)`, kibAsMib(kib)]);
  return rows;
}

export function memoryTarget(what: string, p: MemoryPeaks, limitMb: number): Target {
  return { what, measured: kibAsMib(p.serverKiB), met: p.serverKiB * 1024 < limitMb * MB };
}

export function backupTargets(r: BackupResult, o: BenchOptions): Target[] {
  const d = median(r.dpvaultSeconds);
  return [
    { what: 'full backup ≤ 1.3x `pg_dump -Fc -Z0 -f`', measured: ratio(d / median(r.z0Seconds)), met: d <= 1.3 * median(r.z0Seconds) },
    { what: 'full backup ≤ 0.35x `pg_dump -Fc`', measured: ratio(d / median(r.fcSeconds)), met: d <= 0.35 * median(r.fcSeconds) },
    memoryTarget(`server peak memory during backup < 200 MB (issue 3${o.scale === 10 ? '' : '; stated for scale 10'})`, r.memory, 200),
    memoryTarget('server peak memory during backup < 256 MB (issue 5)', r.memory, 256),
  ];
}

export function renderBackup(r: BackupResult, m: Machine, o: BenchOptions): string {
  const z0 = median(r.z0Seconds);
  const fc = median(r.fcSeconds);
  const row = (name: string, xs: number[], bytes: string) => [name, xs.map(secs).join(', '), secs(median(xs)), bytes, ratio(median(xs) / z0), ratio(median(xs) / fc)];
  return `## 1. Full backup wall time

${runLine(m, o)} Source database: ${bytesCell(r.dbBytes)} (\`pg_database_size\`).

${table(['what', 'runs (s)', 'median (s)', 'bytes written', '÷ -Fc -Z0', '÷ -Fc'], [
  row('`pg_dump -Fc -Z0 -f file`', r.z0Seconds, bytesCell(r.z0Bytes)),
  row('`pg_dump -Fc -f file` (default compression)', r.fcSeconds, bytesCell(r.fcBytes)),
  row('**dpvault**: `adhoc-backup` → job Completed', r.dpvaultSeconds, `${bytesCell(r.dpvaultStoredBytes)} stored`),
  row('dpvault: the job\'s own startTime → endTime', r.dpvaultJobSeconds, ''),
], ['l', 'r', 'r', 'r', 'r', 'r'])}

Catalog and master key beside the stored data: ${bytesCell(r.dpvaultStateBytes)} (not counted as stored).

${table(['peak memory during one full backup', 'value'], memoryRows('one backup on a fresh server', r.memory), ['l', 'r'])}

${targetTable(backupTargets(r, o))}`;
}

export function restoreTargets(r: RestoreResult): Target[] {
  const d = median(r.dpvaultSeconds);
  return [
    { what: 'restore as database ≤ 1.15x `pg_restore -d` from a local file', measured: ratio(d / median(r.pgRestoreSeconds)), met: d <= 1.15 * median(r.pgRestoreSeconds) },
    { what: 'restored database equals the source (compareDatabases)', measured: r.differences.length === 0 ? 'equal' : `${r.differences.length} difference(s)`, met: r.differences.length === 0 },
    memoryTarget('server peak memory during restore < 256 MB (issue 5)', r.memory, 256),
  ];
}

export function renderRestore(r: RestoreResult, m: Machine, o: BenchOptions): string {
  const base = median(r.pgRestoreSeconds);
  const row = (name: string, xs: number[], withRatio = true) => [name, xs.map(secs).join(', '), secs(median(xs)), withRatio ? ratio(median(xs) / base) : ''];
  const diffs = r.differences.length === 0 ? '' : `\n\nDifferences found:\n\n${table(['object', 'source', 'restored'], r.differences.slice(0, 50).map((x) => [x.object, x.a ?? 'missing', x.b ?? 'missing']))}`;
  return `## 3. Restore as a new database

${runLine(m, o)}

${table(['what', 'runs (s)', 'median (s)', '÷ pg_restore'], [
  row('`CREATE DATABASE` + `pg_restore -d` from a local `-Fc` file', r.pgRestoreSeconds),
  row('  of which `CREATE DATABASE`', r.createDbSeconds, false),
  row('**dpvault**: `restore trigger` → job Completed', r.dpvaultSeconds),
  row('dpvault: the job\'s own startTime → endTime', r.dpvaultJobSeconds),
  row('`CREATE DATABASE` + `pg_restore -d` with dpvault\'s session settings (`maintenance_work_mem`, `synchronous_commit`), for comparison', r.pgRestoreTunedSeconds),
], ['l', 'r', 'r', 'r'])}

The first dpvault restore compared with the source by \`compareDatabases\` (row counts and content
hash per table, sequences, definitions) in ${secs(r.compareSeconds)} s: **${r.differences.length === 0 ? 'equal' : 'NOT EQUAL'}**.${diffs}

${table(['peak memory during the restores', 'value'], memoryRows(`${o.repeat} restore(s) on a fresh server`, r.memory), ['l', 'r'])}

${targetTable(restoreTargets(r))}`;
}

function added(rows: WeeklySeries['weeks'], i: number, pick: (w: WeeklySeries['weeks'][number]) => number | null): number | null {
  const now = pick(rows[i]!);
  if (now === null) return null;
  return i === 0 ? now : now - (pick(rows[i - 1]!) ?? 0);
}

/** Targets are stated for churn.sql; churn-uniform.sql is reported beside it for information. */
export function weeklyTargets(s: WeeklySeries): Target[] {
  const rows = s.weeks;
  const last = rows.at(-1)!;
  const full = rows[0]!.fcBytes;
  const n = rows.length;
  const allowed = 1 + 0.1 * (n - 1);
  let worst = 0;
  for (let i = 1; i < n; i++) worst = Math.max(worst, added(rows, i, (w) => w.dpvaultTotal)!);
  const tag = s.script === 'churn.sql' ? '' : ` (${s.script}, informational)`;
  return [
    { what: `${n} weekly backups ≤ ${allowed.toFixed(1)}x one \`pg_dump -Fc\` file${tag}`, measured: ratio(last.dpvaultTotal / full), met: last.dpvaultTotal <= allowed * full },
    { what: `each week after the first adds ≤ 0.1 of a full (one -Fc file)${tag}`, measured: n > 1 ? `worst week adds ${(worst / full).toFixed(2)} of a full` : 'n/a', met: n > 1 ? worst <= 0.1 * full : null },
    {
      what: `≥ 3x smaller than restic${tag}`,
      measured: last.resticTotal === null ? 'restic not installed' : ratio(last.resticTotal / last.dpvaultTotal),
      met: last.resticTotal === null ? null : last.resticTotal >= 3 * last.dpvaultTotal,
    },
  ];
}

export function renderWeekly(series: WeeklySeries[], m: Machine, o: BenchOptions): string {
  const parts = [`## 2. Storage over ${o.weeks} weekly backups

${runLine(m, o)} Each store's size on disk after each week (bytes of all files; dpvault: its data
directory without the catalog and master key). Churn runs before weeks 2 to ${o.weeks} with
\`week\` = 1 to ${o.weeks - 1}. "+" is what that week added.`];
  for (const s of series) {
    const rows = s.weeks;
    let sumFc = 0;
    const body = rows.map((w, i) => {
      sumFc += w.fcBytes;
      const cell = (pick: (x: typeof w) => number | null) => {
        const total = pick(w);
        return total === null ? 'n/a' : `${mib(total)} (+${mib(added(rows, i, pick)!)})`;
      };
      return [w.week, w.week === 1 ? '' : secs(w.churnSeconds), mib(w.fcBytes), mib(sumFc), cell((x) => x.dpvaultTotal), cell((x) => x.resticTotal), cell((x) => x.borgTotal), secs(w.dpvaultSeconds)];
    });
    const last = rows.at(-1)!;
    const full = rows[0]!.fcBytes;
    const vs = (bytes: number | null) => (bytes === null ? ['not installed: skipped', '', ''] : [bytesCell(bytes), ratio(bytes / full), ratio(bytes / last.dpvaultTotal)]);
    const totals = [
      ['dpvault', bytesCell(last.dpvaultTotal), ratio(last.dpvaultTotal / full), '1.00x'],
      [`${rows.length} \`pg_dump -Fc\` files`, ...vs(sumFc)],
      ['restic (same -Z0 dumps)', ...vs(last.resticTotal)],
      ['borg (same -Z0 dumps)', ...vs(last.borgTotal)],
      ['one `pg_dump -Fc` file (week 1)', bytesCell(full), '1.00x', ratio(full / last.dpvaultTotal)],
    ];
    const tools = s.tools.map((t) => `- ${t.version}: ${t.settings}.`).join('\n');
    const missing = s.missing.map((t) => `- ${t}: not installed, skipped (Debian: \`apt-get install ${t === 'borg' ? 'borgbackup' : t}\`).`).join('\n');
    parts.push(`### ${s.script}${s.script === 'churn.sql' ? '' : ' (worst case for deduplication, beside churn.sql)'}

${table(['week', 'churn (s)', '-Fc file', 'Σ -Fc files', 'dpvault', 'restic', 'borg', 'dpvault backup (s)'], body, ['r', 'r', 'r', 'r', 'r', 'r', 'r', 'r'])}

${table(['after the last week', 'bytes', '÷ one -Fc file', '÷ dpvault'], totals, ['l', 'r', 'r', 'r'])}

Baselines fed each week's \`pg_dump -Fc -Z0\` file (the same path every week):
${[tools, missing].filter(Boolean).join('\n')}

Server peak memory over the series: ${kibAsMib(s.memory.serverKiB)}${Object.entries(s.memory.children).map(([k, v]) => `; \`${k}\` ${kibAsMib(v)}`).join('')}.

${targetTable(weeklyTargets(s))}`);
  }
  return parts.join('\n\n');
}

export function renderSummary(
  m: Machine,
  o: BenchOptions,
  targets: Target[],
  notes: string[],
  earlier: { phase: string; measured: string; rows: string[] }[] = [],
): string {
  const noteText = notes.length ? `\n\nNotes from this run:\n${notes.map((n) => `- ${n}`).join('\n')}` : '';
  const carried = earlier
    .map((e) => `\n\nFrom an earlier run (${e.phase}, not run this time; its section below has the details). ${e.measured}\n\n| target | measured | result |\n| --- | --- | --- |\n${e.rows.join('\n')}`)
    .join('');
  return `## Summary of the last run

${runLine(m, o)} Phases: ${[...o.only].join(', ')}.

${targetTable(targets)}${noteText}${carried}`;
}
