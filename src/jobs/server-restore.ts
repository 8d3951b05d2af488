// A whole-server recovery point restored as a server, in one pass over the point's bytes: the
// roles script first (globals-restore.ts: the roles the target lacks are created, those it has
// are left as they are), then the tablespaces script (created, or mapped to the default when the
// target cannot have them), then every user database, each loaded into a new database as a
// database restore does it (database-load.ts: staging, parallel load, owners and grants). The
// job's details say, per database, Pending, InProgress, Completed or Failed. A failure drops
// every database, tablespace and role this job created (and nothing that existed before) and
// says which database failed.
import { DpError, toDpError } from '../domain/errors.ts';
import type { RecoveryPointResource } from '../domain/recovery-point.ts';
import type { StoredDump } from '../domain/recovery-point-store.ts';
import type { ServerTarget } from '../domain/restore-request.ts';
import { restoredDatabases } from '../domain/server-restore-databases.ts';
import type { BackupVault } from '../domain/vault.ts';
import { azureDatabaseForPostgreSQLFlexibleServer } from '../datasources/postgresql-flexible-server.ts';
import type { ArchiveHead } from '../sources/postgres/archive-toc.ts';
import type { PgConnection } from '../sources/postgres/connection-string.ts';
import { dropRoles, dropTablespaces, restoreRoles, restoreTablespaces } from '../sources/postgres/globals-restore.ts';
import { dropDatabase, probeServer, targetRoles } from '../sources/postgres/probe.ts';
import type { ServiceContext } from '../services/context.ts';
import { updateJob } from '../services/jobs.ts';
import { serverAccessFor } from '../services/server-access.ts';
import { feedInto } from '../util/feed-into.ts';
import { loadIntoNewDatabase } from './database-load.ts';
import { serverPointEntries } from './server-point.ts';

export interface ServerRestore {
  rp: RecoveryPointResource;
  stored: StoredDump;
  target: ServerTarget;
  jobId: string;
  onBytes: (total: number) => void;
}

/** The job's key for a database's progress. */
export const databaseDetailKey = (name: string): string => `Database ${name}`;

async function readText(body: AsyncIterable<Buffer>): Promise<string> {
  const parts: Buffer[] = [];
  for await (const chunk of body) parts.push(Buffer.from(chunk));
  return Buffer.concat(parts).toString('utf8');
}

/** A TOC with every object of a tablespace in `mapped` put in its database's default tablespace. */
export function withoutTablespaces(mapped: ReadonlySet<string>): (head: ArchiveHead) => ArchiveHead {
  return (head) => ({ ...head, entries: head.entries.map((e) => (e.tablespace && mapped.has(e.tablespace) ? { ...e, tablespace: '', raw: undefined } : e)) });
}

/** Restores the point onto the target server; returns the job's additional details. */
export async function restoreServer(ctx: ServiceContext, vault: BackupVault, r: ServerRestore): Promise<Record<string, string>> {
  // Only a flexible server's backup makes a whole-server point.
  const access = await serverAccessFor(ctx, vault, azureDatabaseForPostgreSQLFlexibleServer, r.target.datasourceInfo.resourceID, 'Restore');
  const conn = access.conn;
  const server = await probeServer(conn);
  const names = new Map(restoredDatabases(r.rp.internal.databases!, r.target.databaseNamePrefix).map((d) => [d.source, d.target]));
  const details: Record<string, string> = {};
  for (const [source, target] of names) details[databaseDetailKey(source)] = source === target ? 'Pending' : `Pending (as ${target})`;
  const show = (key: string, value: string) => {
    details[key] = value;
    return updateJob(ctx, r.jobId, (p) => void (p.extendedInfo.additionalDetails = { ...p.extendedInfo.additionalDetails, ...details }));
  };
  await show('Role passwords', 'Not in the recovery point (it is taken without them): set each restored login role\'s password with ALTER ROLE ... PASSWORD.');
  const made = { roles: [] as string[], tablespaces: [] as string[], databases: [] as string[] };
  const mapped = new Set<string>();
  let current: string | null = null;
  try {
    for await (const entry of serverPointEntries(ctx, r.stored, r.rp.name, r.onBytes)) {
      if (entry.kind === 'roles') {
        const roles = await restoreRoles(conn, await readText(entry.body));
        made.roles = roles.created;
        if (roles.created.length) details['Roles created'] = roles.created.join(', ');
        await show('Roles left as they were', roles.existing.join(', ') || 'none (the target had none of the point\'s roles)');
      } else if (entry.kind === 'tablespaces') {
        const ts = await restoreTablespaces(conn, await readText(entry.body));
        made.tablespaces = ts.created;
        if (ts.created.length) details['Tablespaces created'] = ts.created.join(', ');
        if (ts.existing.length) details['Tablespaces used as they were'] = ts.existing.join(', ');
        for (const m of ts.mapped) {
          mapped.add(m.name);
          details[`Tablespace ${m.name}`] = `Not created on the target (${m.reason}): its objects were restored into their database's default tablespace.`;
        }
        await show('Tablespaces', `${ts.created.length + ts.existing.length + ts.mapped.length} in the recovery point`);
      } else {
        const target = names.get(entry.name);
        if (!target) continue; // postgres and the templates: every server has its own
        current = entry.name;
        await show(databaseDetailKey(entry.name), target === entry.name ? 'InProgress' : `InProgress (as ${target})`);
        const roleDetails = await loadIntoNewDatabase(ctx, {
          maintenance: conn, server, roles: await targetRoles(conn, server.majorVersion), target, jobId: r.jobId, noOwner: r.target.noOwner,
          feed: (sink) => feedInto(entry.body, sink),
          rewriteHead: mapped.size ? withoutTablespaces(mapped) : undefined,
        });
        made.databases.push(target);
        for (const [k, v] of Object.entries(roleDetails)) details[`${k} (${target})`] = v;
        await show(databaseDetailKey(entry.name), target === entry.name ? 'Completed' : `Completed (as ${target})`);
        current = null;
      }
    }
  } catch (e) {
    const err = toDpError(e);
    if (current) await show(databaseDetailKey(current), 'Failed').catch(() => undefined);
    const undone = await undo(conn, made);
    const what = current ? `Database '${current}' of recovery point ${r.rp.name} could not be restored: ` : '';
    throw new DpError(err.kind, err.code, `${what}${err.message}\n${undone}`, { target: err.target });
  }
  return details;
}

/** Drops what the restore created, newest first; says what it dropped and what is left to drop by hand. */
async function undo(conn: PgConnection, made: { roles: string[]; tablespaces: string[]; databases: string[] }): Promise<string> {
  const failed: string[] = [];
  for (const db of made.databases) await dropDatabase(conn, db).catch((e: unknown) => failed.push(`database ${db} (${toDpError(e).message})`));
  failed.push(...(await dropTablespaces(conn, made.tablespaces).catch((e: unknown) => [`tablespaces ${made.tablespaces.join(', ')} (${toDpError(e).message})`])));
  failed.push(...(await dropRoles(conn, made.roles).catch((e: unknown) => [`roles ${made.roles.join(', ')} (${toDpError(e).message})`])));
  const dropped = [
    ...made.databases.map((d) => `database '${d}'`), ...made.tablespaces.map((t) => `tablespace '${t}'`), ...made.roles.map((n) => `role '${n}'`),
  ];
  const said = dropped.length ? `What this restore had created was dropped (${dropped.join(', ')}); nothing that existed before was changed.` : 'This restore had created nothing on the target yet.';
  return failed.length ? `${said} These could not be dropped: ${failed.join('; ')}; drop them by hand.` : said;
}
