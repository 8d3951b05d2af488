// The checks of an item-level restore (tables of a recovery point into an existing database),
// made before any job starts and again by the job: the datasource allows it (its manifest), the
// point holds the source database (a whole-server point: the one --database names), that
// database's dump holds each table (read from the archive's TOC, when the point is readable now:
// an archived point is checked by the job after its rehydration), and the target database exists
// and can take each table under its name.
import type { Readable } from 'node:stream';
import { errors } from '../domain/errors.ts';
import { formatTableName } from '../domain/item-path.ts';
import type { RecoveryPointResource } from '../domain/recovery-point.ts';
import { isServerPoint, storedIn } from '../domain/recovery-point.ts';
import type { StoredDump } from '../domain/recovery-point-store.ts';
import type { ItemsTarget } from '../domain/restore-request.ts';
import type { BackupVault } from '../domain/vault.ts';
import type { DatasourceManifest } from '../datasources/manifest.ts';
import { readArchiveHead } from '../sources/postgres/archive-head.ts';
import type { ArchiveHead } from '../sources/postgres/archive-toc.ts';
import { tablesOf, selectItems, type ItemSelection } from '../sources/postgres/item-selection.ts';
import { targetProblems } from '../sources/postgres/item-target.ts';
import type { PgConnection } from '../sources/postgres/connection-string.ts';
import { databaseExists } from '../sources/postgres/probe.ts';
import type { ServiceContext } from './context.ts';
import { restoreTargetServer } from './restore-target.ts';
import { serverPointDatabaseDump } from './server-point.ts';

const ITEMS = 'restoreTargetInfo.restoreCriteria';
const SOURCE_DATABASE = 'restoreTargetInfo.sourceDatabaseName';
const SHOWN_TABLES = 30;

/** Checks an item-level restore request; returns its destination (the target database's id). */
export async function planItemRestore(
  ctx: ServiceContext, vault: BackupVault, manifest: DatasourceManifest | undefined, rp: RecoveryPointResource, target: ItemsTarget,
): Promise<string> {
  if (manifest && !manifest.itemLevelRecoveryEnabled) {
    throw errors.restoreTargetNotSupported(`Specified DatasourceType ${manifest.name} doesn't support Item Level Recovery.`);
  }
  const database = sourceDatabaseOf(rp, target.sourceDatabaseName);
  const db = await restoreTargetServer(ctx, vault, target.datasourceInfo.resourceID, target.credentials, rp);
  // Checked now when the point can be read now; else (archived, or its head unreadable) by the job.
  const readable = storedIn(rp, 'VaultStore');
  const head = readable ? await pointHead(ctx, rp, readable, database).catch(() => null) : null;
  if (head) itemSelection(head, target, rp, database);
  await checkItemTarget(db, target);
  return target.datasourceInfo.resourceID;
}

/**
 * The database of the recovery point the items come from. A database point holds one dump, so a
 * name given must be its database's; a whole-server point needs the name, one of its databases.
 */
export function sourceDatabaseOf(rp: RecoveryPointResource, name: string | null): string {
  if (isServerPoint(rp)) {
    const held = rp.internal.databases!.map((d) => `'${d}'`).join(', ');
    if (name === null) {
      throw errors.requestParameterInvalid(
        `Recovery point ${rp.name} holds a whole server: name the database the tables come from with --database (sourceDatabaseName). It holds ${held}.`,
        SOURCE_DATABASE,
      );
    }
    if (!rp.internal.databases!.includes(name)) {
      throw errors.requestParameterInvalid(`Recovery point ${rp.name} holds no database '${name}' (--database, sourceDatabaseName). It holds ${held}.`, SOURCE_DATABASE);
    }
    return name;
  }
  if (name !== null && name !== rp.internal.database) {
    throw errors.requestParameterInvalid(
      `Recovery point ${rp.name} holds database '${rp.internal.database}' only; --database (sourceDatabaseName) '${name}' is not in it.`,
      SOURCE_DATABASE,
    );
  }
  return rp.internal.database;
}

/**
 * The dump the items are read from, as a stream: the point's bytes, or in a whole-server point
 * the dump of `database` (sourceDatabaseOf's answer). `onBytes` counts the stored bytes read.
 */
export function itemDump(ctx: ServiceContext, rp: RecoveryPointResource, stored: StoredDump, database: string, onBytes?: (total: number) => void): Readable {
  return isServerPoint(rp) ? serverPointDatabaseDump(ctx, rp, stored, database, onBytes) : ctx.store.read(stored, rp.name);
}

/** The header and TOC of the dump the items are read from, read off the start of its bytes. */
export function pointHead(ctx: ServiceContext, rp: RecoveryPointResource, stored: StoredDump, database: string): Promise<ArchiveHead> {
  return readArchiveHead(itemDump(ctx, rp, stored, database));
}

/** What of the point to load for these items; a 400 naming every table the point does not hold. */
export function itemSelection(head: ArchiveHead, target: ItemsTarget, rp: RecoveryPointResource, database: string): ItemSelection {
  const selection = selectItems(head.entries, target.items.map((i) => i.table));
  if (selection.missing.length) {
    const tables = tablesOf(head.entries).map(formatTableName).sort();
    const shown = tables.length > SHOWN_TABLES ? `${tables.slice(0, SHOWN_TABLES).join(', ')} and ${tables.length - SHOWN_TABLES} more` : tables.join(', ') || 'none';
    throw errors.restoreItemsNotFound(
      `Recovery point ${rp.name} of database '${database}' has no table ${selection.missing.map(formatTableName).join(', ')}. Its tables: ${shown}.`,
      ITEMS,
    );
  }
  if (selection.partitioned.length) {
    throw errors.restoreItemsInvalid(
      `${selection.partitioned.map(formatTableName).join(', ')} ${selection.partitioned.length > 1 ? 'are partitioned tables' : 'is a partitioned table'}, which an item-level restore does not restore yet: restore the whole recovery point into a new database instead.`,
      ITEMS,
    );
  }
  return selection;
}

/** The target database exists and each table can be restored under its name there; else a 400 naming every obstacle. */
export async function checkItemTarget(db: { maintenance: PgConnection; conn: PgConnection; server: string; database: string }, target: ItemsTarget): Promise<void> {
  if (!(await databaseExists(db.maintenance, db.database))) {
    throw errors.postgresDatabaseNotFound(
      `The database '${db.database}' does not exist on server '${db.server}'. An item-level restore puts tables into an existing database: create it first, or restore the whole recovery point into a new database with initialize-for-data-recovery.`,
    );
  }
  const problems = await targetProblems(db.conn, target.items.map((i) => i.restoreAs));
  if (problems.missingSchemas.length) {
    throw errors.restoreItemsInvalid(`Database '${db.database}' has no schema ${problems.missingSchemas.map((s) => `'${s}'`).join(', ')}: create it first, or restore into another schema with --rename-to.`, ITEMS);
  }
  if (problems.taken.length) {
    const names = problems.taken.map(formatTableName).join(', ');
    throw errors.restoreItemsExist(
      `Database '${db.database}' already has ${names}. A restore never overwrites (FailIfExists): give each a new name with --rename-to SCHEMA.NEWNAME (restoreCriteria renameTo), one per item in the order of --item-list.`,
      ITEMS,
    );
  }
  if (problems.notCreatable.length) {
    throw errors.postgresPermissionMissing(`The restoring user may not create tables in schema ${problems.notCreatable.map((s) => `'${s}'`).join(', ')} of database '${db.database}': GRANT CREATE ON SCHEMA to it.`);
  }
}

