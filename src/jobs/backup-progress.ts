// How far a running backup is. A dump's size is known only at its end, so the bytes sent so far
// are measured against an estimate (the table data's size on disk, from the probe): linear up to
// 90% of it, then ever more slowly towards 99% when the dump outgrows the estimate. A running
// backup never shows more than 99%; a finished one shows 100%. Pure.

/** The most a running backup shows. */
export const RUNNING_CAP_PERCENT = 99;
const LINEAR_UNTIL = 0.9;

/** The progress in percent of a backup that has sent `bytes` of a dump estimated at `estimateBytes`. */
export function backupPercent(bytes: number, estimateBytes: number, done: boolean): number {
  if (done) return 100;
  if (bytes <= 0) return 0;
  if (!(estimateBytes > 0)) return RUNNING_CAP_PERCENT;
  const ratio = bytes / estimateBytes;
  if (ratio <= LINEAR_UNTIL) return ratio * 100;
  // Past 90%: an exponential approach to the cap, continuous with the line and as steep where they meet.
  const room = RUNNING_CAP_PERCENT - LINEAR_UNTIL * 100;
  return RUNNING_CAP_PERCENT - room * Math.exp((-(ratio - LINEAR_UNTIL) * 100) / room);
}

/** As the job shows it: one decimal, never rounded up to the next whole step (98.96 is 98.9, not 99.0). */
export function formatPercent(percent: number): string {
  return (Math.floor(percent * 10) / 10).toFixed(1);
}
