// How many pg_restore sessions a restore into a database opens at once: the setting
// (DPVAULT_RESTORE_JOBS; default one, the single stream), but never more than the target server
// and the restoring role have connections left, and at least one. More than one takes the
// parallel path (parallel-restore.ts).
import type { PgConnection } from './connection-string.ts';
import { connect } from './probe.ts';

/**
 * The default. A point whose dump recorded where each big table's data lies (a ranged restore:
 * ranged-restore.ts) loads in two sessions, each reading only its own tables' bytes: at scale 10
 * on this project's 2-core machines that is what `pg_restore -j 2` of a file gains over
 * `pg_restore -d` (docs/benchmarks.md, "Tables loaded in parallel from byte ranges"). Otherwise
 * one session, the archive streamed into one `pg_restore`: the streamed parallel path, whose
 * sessions all read the whole stream, restored no faster on two cores (1.21–1.26x `pg_restore
 * -d` against 1.19–1.23x for one stream, "Parallel restore into PostgreSQL") and raised the
 * server's peak by 40–75 MiB. DPVAULT_RESTORE_JOBS sets the number either way.
 */
export function defaultRestoreWorkers(ranged = false): number {
  return ranged ? 2 : 1;
}

export interface ConnectionRoom {
  /** max_connections less the slots reserved for others (superuser_reserved_connections; reserved_connections from 16) unless the role is a superuser. */
  open: number;
  /** Client sessions on the server now. */
  used: number;
  /** The role's CONNECTION LIMIT, or -1 for none. */
  roleLimit: number;
  /** The role's sessions now. */
  roleUsed: number;
}

/** The sessions to open: the setting, within the connections left (the probe's own included, about to close). */
export function chooseRestoreWorkers(setting: number, room: ConnectionRoom | null): number {
  let n = Math.max(1, Math.floor(setting));
  if (room) {
    n = Math.min(n, room.open - room.used + 1);
    if (room.roleLimit >= 0) n = Math.min(n, room.roleLimit - room.roleUsed + 1);
  }
  return Math.max(1, n);
}

const ROOM_SQL = `
SELECT current_setting('max_connections')::int
       - CASE WHEN r.rolsuper THEN 0 ELSE current_setting('superuser_reserved_connections')::int
           + coalesce(current_setting('reserved_connections', true), '0')::int END AS open,
       (SELECT count(*)::int FROM pg_stat_activity WHERE backend_type = 'client backend') AS used,
       r.rolconnlimit AS "roleLimit",
       (SELECT count(*)::int FROM pg_stat_activity WHERE backend_type = 'client backend' AND usename = current_user) AS "roleUsed"
FROM pg_roles r WHERE r.rolname = current_user`;

/** The target's connection room, or null when it cannot be read (the restore then uses the setting). */
export async function connectionRoom(conn: PgConnection): Promise<ConnectionRoom | null> {
  try {
    const client = await connect(conn);
    try {
      return (await client.query<ConnectionRoom>(ROOM_SQL)).rows[0] ?? null;
    } finally {
      await client.end();
    }
  } catch {
    return null;
  }
}
