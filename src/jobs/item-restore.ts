// An item-level restore: tables of a recovery point into an existing database, atomically.
// 1. The TOC of the point's dump (of a whole-server point: of the dump of the database named) is
//    read and the tables' entries chosen (item-selection.ts); the target is checked again
//    (services/item-restores.ts).
// 2. pg_restore `-L` loads them, with what they need, into a staging database on the target
//    server (restore-staging.ts names it, start-up recovery drops it after a crash).
// 3. There each table is renamed as asked, with its indexes, constraints and sequences, by ALTER
//    statements; its foreign keys to tables not restored are taken out (item-staging.ts).
// 4. `pg_dump --table` of the staged tables into `pg_restore --single-transaction` on the target
//    (item-transfer.ts): all of them or nothing. The staging database is dropped either way.
// 5. Those foreign keys are added where the table they reference exists in the target, each
//    validated on its own; the job's details name those added and those skipped, and why.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DpError, toDpError } from '../domain/errors.ts';
import { sqlTableName } from '../domain/item-path.ts';
import type { RecoveryPointResource } from '../domain/recovery-point.ts';
import type { StoredDump } from '../domain/recovery-point-store.ts';
import { describeItem } from '../domain/restore-items.ts';
import type { ItemsTarget } from '../domain/restore-request.ts';
import type { BackupVault } from '../domain/vault.ts';
import { withExternalKeysNotValid } from '../sources/postgres/item-selection.ts';
import { prepareStaging } from '../sources/postgres/item-staging.ts';
import { addForeignKeys, relationNames, type PendingForeignKey } from '../sources/postgres/item-target.ts';
import { transferTables } from '../sources/postgres/item-transfer.ts';
import { createDatabase, dropDatabase, targetRoles } from '../sources/postgres/probe.ts';
import { listFileText } from '../sources/postgres/restore-plan.ts';
import { startRestore } from '../sources/postgres/restore.ts';
import { roleReportDetails } from '../sources/postgres/role-mapping.ts';
import type { ServiceContext } from '../services/context.ts';
import { isServerPoint } from '../domain/recovery-point.ts';
import { checkItemTarget, itemDump, itemSelection, pointHead, sourceDatabaseOf } from '../services/item-restores.ts';
import { restoreTargetServer } from '../services/restore-target.ts';
import { feedRestore, writeAll } from './restore-feed.ts';
import type { Feed } from './restore-file.ts';
import { stagingDatabaseName } from './restore-staging.ts';

export interface ItemRestoreSource {
  rp: RecoveryPointResource;
  /** The bytes of the point's dump (in VaultStore, rehydrated if need be). */
  stored: StoredDump;
  target: ItemsTarget;
  jobId: string;
  /** Counts the stored bytes read, when the items come out of a whole-server point. */
  onBytes?: (total: number) => void;
}

/**
 * Restores the items; returns the job's additional details. `feed` writes the point's bytes: a
 * database point's dump. Out of a whole-server point, the named database's dump is read instead.
 */
export async function restoreItems(ctx: ServiceContext, vault: BackupVault, src: ItemRestoreSource, feed: Feed): Promise<Record<string, string>> {
  const { rp, target } = src;
  const database = sourceDatabaseOf(rp, target.sourceDatabaseName);
  const selection = itemSelection(await pointHead(ctx, rp, src.stored, database), target, rp, database);
  const load: Feed = isServerPoint(rp) ? (sink) => writeAll(itemDump(ctx, rp, src.stored, database, src.onBytes), sink) : feed;
  const db = await restoreTargetServer(ctx, vault, target.datasourceInfo.resourceID, target.credentials, rp);
  await checkItemTarget(db, target);
  const roles = await targetRoles(db.maintenance, db.majorVersion);
  const staging = stagingDatabaseName(db.database, src.jobId);
  const dir = await mkdtemp(join(tmpdir(), 'dpvault-items-'));
  const details: Record<string, string> = { RestoredItems: target.items.map(describeItem).join(', ') };
  if (isServerPoint(rp)) details.SourceDatabase = database;
  let pending: PendingForeignKey[];
  try {
    await createDatabase(db.maintenance, staging);
    const list = join(dir, 'items.list');
    await writeFile(list, listFileText(selection.ids), { mode: 0o600 });
    const restore = await startRestore(db.conn, {
      major: db.majorVersion, targetDatabase: staging, roles, noOwner: target.noOwner,
      extraArgs: [`--use-list=${list}`], rewriteHead: (head) => withExternalKeysNotValid(head, selection.externalForeignKeys),
    });
    await feedRestore(restore, load);
    const report = restore.report();
    if (report) Object.assign(details, roleReportDetails(report, roles, !target.noOwner));
    const staged = await prepareStaging({ ...db.conn, database: staging }, target.items, selection.externalForeignKeys, (schema) => relationNames(db.conn, schema));
    if (staged.renamed.length) details.RenamedObjects = staged.renamed.join(', ');
    await transferTables(db.conn, staging, db.database, {
      major: db.majorVersion, tables: target.items.map((i) => sqlTableName(i.restoreAs)), roles, noOwner: target.noOwner,
    });
    pending = staged.foreignKeys;
  } catch (e) {
    const err = toDpError(e);
    throw new DpError(err.kind, err.code, `${err.message}\nNothing was changed in database '${db.database}'.`, { target: err.target });
  } finally {
    await rm(dir, { recursive: true, force: true });
    await dropDatabase(db.maintenance, staging).catch((e: unknown) => {
      details.StagingDatabase = `The staging database '${staging}' could not be dropped (${toDpError(e).message}); drop it by hand.`;
    });
  }
  const keys = await addForeignKeys(db.conn, pending);
  if (keys.added.length) details.ForeignKeysRestored = keys.added.join('; ');
  if (keys.skipped.length) details.ForeignKeysSkipped = keys.skipped.join('; ');
  return details;
}
