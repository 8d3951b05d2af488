// How a job reads at a glance: its row in `job list -o table`, and the progress line `job wait`
// draws. Pure functions of the job as the API returns it.
import { jobOperation } from './list-from-resourcegraph.ts';

export interface JobView {
  name?: string;
  properties?: {
    operationCategory?: string;
    isUserTriggered?: boolean;
    status?: string;
    startTime?: string;
    duration?: string;
    backupInstanceFriendlyName?: string;
    extendedInfo?: { dataTransferredInBytes?: number | null; subTasks?: { taskProgress?: string | null }[] };
    errorDetails?: { code?: string; message?: string }[] | null;
  };
}

/** A job's row in a table: what it did, how it went, when, how long, to which instance. */
export function jobRow(job: JobView): Record<string, unknown> {
  const p = job.properties ?? {};
  return {
    Operation: jobOperation(p as Record<string, unknown>),
    Status: p.status ?? null,
    StartTime: p.startTime ?? null,
    Duration: p.duration ?? null,
    BackupInstance: p.backupInstanceFriendlyName ?? null,
    Name: job.name ?? null,
  };
}

/** `job list`/`job show` with -o table: one row per job. */
export const jobTable = (result: unknown): unknown => (Array.isArray(result) ? result.map(jobRow) : jobRow(result as JobView));

/** The job's progress in percent, when its task reports one. */
export function jobPercent(job: JobView): number | undefined {
  const text = job.properties?.extendedInfo?.subTasks?.[0]?.taskProgress;
  const pct = text ? Number.parseFloat(text) : Number.NaN;
  return Number.isFinite(pct) ? Math.max(0, Math.min(100, pct)) : undefined;
}

const BAR_WIDTH = 30;

/** "OnDemandBackup app: InProgress [#####.....]  42.0%  12.5 MiB": a bar on a terminal, plain words otherwise. */
export function progressLine(job: JobView, bar: boolean): string {
  const p = job.properties ?? {};
  // A completed job is all done, whatever share of the database its last report counted.
  const pct = p.status === 'Completed' ? 100 : jobPercent(job);
  const bytes = p.extendedInfo?.dataTransferredInBytes;
  const parts = [`${jobOperation(p as Record<string, unknown>)} ${p.backupInstanceFriendlyName ?? job.name ?? ''}:`.trim(), p.status ?? 'Unknown'];
  if (bar) {
    const filled = Math.round(((pct ?? 0) / 100) * BAR_WIDTH);
    parts.push(`[${'#'.repeat(filled)}${'.'.repeat(BAR_WIDTH - filled)}]`);
  }
  if (pct !== undefined) parts.push(`${pct.toFixed(1)}%`);
  if (typeof bytes === 'number') parts.push(`${(bytes / 1048576).toFixed(1)} MiB`);
  if (p.status !== 'InProgress' && p.duration) parts.push(`in ${p.duration}`);
  return parts.join(' ');
}
