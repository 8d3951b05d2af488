// Runs the policy engine over a span of time, for tests and for "what will this policy keep?"
// answers: every scheduled occurrence of the policy's first AzureBackupRule becomes a backup
// (unless listed as failed), each successful one is tagged and given its retention timeline, and
// the recovery points alive in each datastore are counted at chosen instants. Pure.

import { errors } from '../domain/errors.ts';
import { chooseTag } from './tagging.ts';
import type { TaggingCriterionInput } from './tagging.ts';
import { holdsAt, retentionTimeline } from './retention.ts';
import type { DataStoreType, Residency, RetentionRuleInput } from './retention.ts';
import { occurrences, parseRepeatingInterval } from './time/interval.ts';
import { fromLocal, toLocal } from './time/local-time.ts';
import { resolveTimeZone } from './time/zones.ts';

interface BackupRuleInput {
  name: string;
  objectType: string;
  dataStore?: { dataStoreType: string } | null;
  trigger?: {
    schedule?: { repeatingTimeIntervals: string[]; timeZone?: string | null } | null;
    taggingCriteria?: TaggingCriterionInput[] | null;
  } | null;
}

type RuleInput = BackupRuleInput | (RetentionRuleInput & { objectType: string });

/** A BackupPolicy's properties, or the whole resource with them under `properties`. */
export interface PolicyInput {
  properties?: { policyRules: RuleInput[] } | null;
  policyRules?: RuleInput[] | null;
}

export interface SimulationOptions {
  start: Date;
  end: Date;
  /** Scheduled instants whose backup fails and produces nothing. */
  failed?: Date[];
  /** Instants at which to count the recovery points alive per datastore. */
  at?: Date[];
}

export interface SimulatedRecoveryPoint {
  recoveryPointTime: string;
  retentionTagName: string;
  dataStores: { dataStoreType: DataStoreType; from: string; until: string | null }[];
}

export interface SimulationResult {
  timeZone: string;
  start: string;
  end: string;
  /** Tag names in priority order (the default last). */
  tags: string[];
  /** Scheduled instants whose backup failed. */
  failedBackups: string[];
  recoveryPoints: SimulatedRecoveryPoint[];
  at: { time: string; VaultStore: number; ArchiveStore: number }[];
}

const same = (a: string, b: string): boolean => a.toLowerCase() === b.toLowerCase();

function rulesOf(policy: PolicyInput): RuleInput[] {
  const rules = policy.properties?.policyRules ?? policy.policyRules;
  if (!Array.isArray(rules)) throw errors.policyInvalid('The policy has no policyRules.', 'policyRules');
  return rules;
}

function retentionRuleFor(rules: RuleInput[], tag: string): RetentionRuleInput {
  const retention = rules.filter((r): r is RetentionRuleInput & { objectType: string } => same(r.objectType, 'AzureRetentionRule'));
  const rule = retention.find((r) => r.name === tag) ?? retention.find((r) => same(r.name, tag));
  if (!rule) throw errors.policyInvalid(`The tag '${tag}' has no AzureRetentionRule with the same name.`, 'policyRules');
  return rule;
}

function alive(points: { timeline: Residency[] }[], instant: Date, store: DataStoreType): number {
  let n = 0;
  for (const p of points) if (p.timeline.some((r) => r.dataStoreType === store && holdsAt(r, instant))) n++;
  return n;
}

/** Runs the policy's first backup rule from `start` (inclusive) to `end` (exclusive). */
export function simulate(policy: PolicyInput, options: SimulationOptions): SimulationResult {
  const rules = rulesOf(policy);
  const backupRule = rules.find((r): r is BackupRuleInput => same(r.objectType, 'AzureBackupRule'));
  const schedule = backupRule?.trigger?.schedule;
  if (!backupRule || !schedule) {
    throw errors.policyInvalid('The policy has no AzureBackupRule with a schedule to simulate.', 'policyRules');
  }
  const timeZone = resolveTimeZone(schedule.timeZone ?? 'UTC');
  const criteria = backupRule.trigger?.taggingCriteria ?? [];
  const intervals = schedule.repeatingTimeIntervals.map((t) => parseRepeatingInterval(t));
  const createdIn = (backupRule.dataStore?.dataStoreType ?? 'VaultStore') as DataStoreType;
  const failed = new Set((options.failed ?? []).map((d) => d.getTime()));

  const points: { time: Date; tag: string; timeline: Residency[] }[] = [];
  const failedBackups: string[] = [];
  let last: Date | null = null;
  for (const time of occurrences(intervals, timeZone, options.start, options.end)) {
    if (failed.has(time.getTime())) {
      failedBackups.push(time.toISOString());
      continue;
    }
    const tag = chooseTag(criteria, timeZone, time, last ? [last] : []);
    points.push({ time, tag, timeline: retentionTimeline(retentionRuleFor(rules, tag), time, timeZone, createdIn) });
    last = time;
  }
  const ordered = [...criteria].sort((a, b) => Number(a.isDefault) - Number(b.isDefault) || a.taggingPriority - b.taggingPriority);
  return {
    timeZone,
    start: options.start.toISOString(),
    end: options.end.toISOString(),
    tags: ordered.map((c) => c.tagInfo.tagName),
    failedBackups,
    recoveryPoints: points.map((p) => ({
      recoveryPointTime: p.time.toISOString(),
      retentionTagName: p.tag,
      dataStores: p.timeline.map((r) => ({
        dataStoreType: r.dataStoreType,
        from: r.from.toISOString(),
        until: r.until ? r.until.toISOString() : null,
      })),
    })),
    at: (options.at ?? []).map((t) => ({
      time: t.toISOString(),
      VaultStore: alive(points, t, 'VaultStore'),
      ArchiveStore: alive(points, t, 'ArchiveStore'),
    })),
  };
}

function aliveIn(result: SimulationResult, instant: number, store: DataStoreType): number {
  return result.recoveryPoints.filter((rp) =>
    rp.dataStores.some((d) => d.dataStoreType === store && Date.parse(d.from) <= instant && (d.until === null || instant < Date.parse(d.until))),
  ).length;
}

export interface CalendarMonth {
  /** `YYYY-MM` in the policy's time zone. */
  month: string;
  /** The backups taken that month: day of the month (policy's time zone) and retention tag. */
  backups: { day: number; tag: string }[];
  /** Recovery points alive at the month's end (or at the end of the simulation, for its last month). */
  VaultStore: number;
  ArchiveStore: number;
}

/** A simulation month by month in the policy's time zone: the backups of each, and what is alive at its end. */
export function calendarMonths(result: SimulationResult): CalendarMonth[] {
  const tz = result.timeZone;
  const end = Date.parse(result.end);
  const out: CalendarMonth[] = [];
  const first = toLocal(Date.parse(result.start), tz);
  let month = { year: first.year, month: first.month };
  const times = result.recoveryPoints.map((rp) => ({ t: Date.parse(rp.recoveryPointTime), tag: rp.retentionTagName }));
  while (true) {
    const from = fromLocal({ ...month, day: 1, hour: 0, minute: 0, second: 0, millisecond: 0 }, tz).getTime();
    if (from >= end) break;
    const nextMonth = month.month === 12 ? { year: month.year + 1, month: 1 } : { year: month.year, month: month.month + 1 };
    const to = fromLocal({ ...nextMonth, day: 1, hour: 0, minute: 0, second: 0, millisecond: 0 }, tz).getTime();
    const at = Math.min(to, end);
    out.push({
      month: `${month.year}-${String(month.month).padStart(2, '0')}`,
      backups: times.filter((x) => x.t >= from && x.t < to).map((x) => ({ day: toLocal(x.t, tz).day, tag: x.tag })),
      VaultStore: aliveIn(result, at, 'VaultStore'),
      ArchiveStore: aliveIn(result, at, 'ArchiveStore'),
    });
    month = nextMonth;
  }
  return out;
}

/**
 * A month-by-month table of a simulation in the policy's time zone: backups taken, how many got
 * each tag, and the recovery points alive in VaultStore and ArchiveStore at the month's end (or
 * at the end of the simulation, for its last month).
 */
export function formatCalendar(result: SimulationResult): string {
  const header = ['Month', 'Backups', ...result.tags, 'VaultStore', 'ArchiveStore'];
  const rows: string[][] = [header];
  for (const m of calendarMonths(result)) {
    rows.push([
      m.month,
      String(m.backups.length),
      ...result.tags.map((tag) => String(m.backups.filter((x) => x.tag === tag).length)),
      String(m.VaultStore),
      String(m.ArchiveStore),
    ]);
  }
  const widths = header.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length)));
  return rows
    .map((r) => r.map((cell, i) => (i === 0 ? cell.padEnd(widths[i] ?? 0) : cell.padStart(widths[i] ?? 0))).join('  '))
    .join('\n') + '\n';
}
