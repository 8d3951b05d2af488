// The last step of an item-level restore: the staged tables, under their final names, copied
// from the staging database into the target by `pg_dump --table` piped into `pg_restore
// --single-transaction`, so the target gets all of them (structure, rows, indexes, constraints,
// owned sequences at their values, grants) or, on any error, nothing at all.
import { finished } from 'node:stream/promises';
import { DpError, toDpError } from '../../domain/errors.ts';
import type { PgConnection } from './connection-string.ts';
import { startDump } from './dump.ts';
import { startRestore } from './restore.ts';
import type { TargetRoles } from './role-mapping.ts';

export interface TransferOptions {
  major: number;
  /** Always-quoted `"schema"."table"` names in the staging database. */
  tables: string[];
  roles: TargetRoles;
  noOwner: boolean;
  settings?: Record<string, string>;
}

/** Copies `tables` from database `staging` into database `target` of the same server, in one transaction. */
export async function transferTables(conn: PgConnection, staging: string, target: string, opts: TransferOptions): Promise<void> {
  const dump = await startDump({ ...conn, database: staging }, { major: opts.major, tables: opts.tables });
  const restore = await startRestore(conn, {
    major: opts.major, targetDatabase: target, roles: opts.roles, noOwner: opts.noOwner, settings: opts.settings, extraArgs: ['--single-transaction'],
  });
  dump.stdout.pipe(restore.stdin);
  const piped = finished(restore.stdin).catch(() => {});
  const [d, r] = await Promise.allSettled([dump.done, restore.done]);
  await piped;
  if (r.status === 'rejected' && d.status === 'rejected') {
    // Either stopped the other; both say what they saw.
    const err = toDpError(r.reason);
    throw new DpError(err.kind, err.code, `${err.message}\n(pg_dump from the staging database: ${toDpError(d.reason).message})`, { target: err.target });
  }
  if (r.status === 'rejected') throw r.reason;
  if (d.status === 'rejected') throw d.reason;
}
