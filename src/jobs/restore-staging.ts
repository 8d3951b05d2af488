// Where a restore into a database builds it: a staging database named from the target and the
// job, renamed to the target only once pg_restore has finished, so no half-built database is ever
// visible under the target's name. The name is a pure function of the two, so start-up recovery
// (restore-cleanup.ts) finds what an interrupted restore left.
import { cutToBytes } from '../util/utf8-cut.ts';

/** PostgreSQL's identifier limit (NAMEDATALEN - 1), in bytes. */
const MAX_NAME_BYTES = 63;
const MARK = '_dpvault_';
const JOB_HEX = 12;

/** `<target>_dpvault_<first 12 hex digits of the job's name>`, the target cut to fit in 63 bytes. */
export function stagingDatabaseName(target: string, jobId: string): string {
  const jobName = jobId.split('/').pop() ?? jobId;
  const short = jobName.replace(/[^0-9a-f]/gi, '').slice(0, JOB_HEX).toLowerCase().padEnd(JOB_HEX, '0');
  const suffix = `${MARK}${short}`;
  return `${cutToBytes(target, MAX_NAME_BYTES - suffix.length)}${suffix}`;
}
