// Settings of the sessions a restore into a database opens, passed to pg_restore as PGOPTIONS.
// Pure: what to set, from what the target server already has and what the service was told.
//
// - maintenance_work_mem: the memory each CREATE INDEX and ADD CONSTRAINT sorts in. The server's
//   default (64 MB) makes the index builds of a large table spill to disk in many runs; a restore
//   builds every index of the database at once, so it asks for more (never less than the server
//   has). Measured: docs/benchmarks.md, "Session settings of a restore".
// - synchronous_commit=off: pg_restore commits each statement; none of those commits needs to
//   wait for its WAL to reach the disk, because the database is built under a staging name and
//   only the rename to its target name, a normal (synchronous) commit, makes it visible. That
//   commit's flush covers all WAL before it, so what the restore wrote is durable when the job
//   says Completed; a crash before it leaves a staging database that start-up cleanup drops.

/** Default maintenance_work_mem of a restore's sessions (DPVAULT_RESTORE_MAINTENANCE_WORK_MEM). */
export const DEFAULT_RESTORE_MAINTENANCE_WORK_MEM = '256MB';

const UNITS: Record<string, number> = { kB: 1024, MB: 1024 ** 2, GB: 1024 ** 3 };
const MEMORY = /^(\d{1,10})(kB|MB|GB)$/;

/** Bytes of a PostgreSQL memory value written with a unit (`256MB`), or null when it is not one. */
export function memoryBytes(value: string): number | null {
  const m = MEMORY.exec(value.trim());
  return m ? Number(m[1]) * UNITS[m[2]!]! : null;
}

/**
 * The settings a restore's sessions run with. `wantedMaintenanceWorkMem` is a value such as
 * `256MB`, or `0` to leave the server's own; it is set only when larger than the server's.
 */
export function restoreSessionSettings(serverMaintenanceWorkMemBytes: number | null, wantedMaintenanceWorkMem: string): Record<string, string> {
  const settings: Record<string, string> = { synchronous_commit: 'off' };
  const wanted = memoryBytes(wantedMaintenanceWorkMem);
  if (wanted !== null && (serverMaintenanceWorkMemBytes === null || wanted > serverMaintenanceWorkMemBytes)) {
    settings.maintenance_work_mem = wantedMaintenanceWorkMem.trim();
  }
  return settings;
}

/** The PGOPTIONS value that sets `settings` in every session of a libpq tool. */
export function pgOptions(settings: Record<string, string>): string {
  const escape = (s: string): string => s.replace(/\\/g, '\\\\').replace(/ /g, '\\ ');
  return Object.entries(settings)
    .map(([k, v]) => `-c ${escape(k)}=${escape(v)}`)
    .join(' ');
}
