// The job list's order: failed jobs first (the thing to look at), then those running, then the
// rest; newest first within each. And a job's progress in percent as the API reports it. Pure.
import type { Job } from './resources.ts';

const RANK: Record<string, number> = { Failed: 0, InProgress: 1 };
const rank = (j: Job): number => RANK[j.properties.status] ?? 2;

export function failuresFirst(jobs: readonly Job[]): Job[] {
  return [...jobs].sort((a, b) => rank(a) - rank(b) || Date.parse(b.properties.startTime) - Date.parse(a.properties.startTime));
}

/** The job's progress (0-100) from its first subtask, or null when it reports none. */
export function progressOf(job: Job): number | null {
  if (job.properties.status === 'Completed') return 100;
  const details = job.properties.extendedInfo.subTasks[0];
  const raw = details?.additionalDetails?.ProgressPercentage ?? details?.taskProgress?.replace('%', '');
  const n = raw === undefined ? NaN : Number(raw);
  return Number.isFinite(n) ? Math.min(100, Math.max(0, n)) : null;
}
