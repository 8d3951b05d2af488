// Start-up recovery for a restore the server was running when it stopped: what it had written
// is removed, and the job is told exactly what. A restore into a database drops its staging
// database (restore-staging.ts) on the target server; a restore as files removes its `.partial`
// files, and a checksum file whose file never got its name (restore-files-cleanup.ts), for a
// whole-server point across every file of its layout; one into object storage removes a dump whose checksum
// never followed (restore-object.ts), across a whole-server point's layout too. An item-level restore drops its staging database; its
// load into the target is one transaction, so the target has all of the tables or none.
import { dirname } from 'node:path';
import { toDpError } from '../domain/errors.ts';
import type { BackupVault } from '../domain/vault.ts';
import { databaseExists, dropDatabase, endSessionsOn } from '../sources/postgres/probe.ts';
import type { ServiceContext } from '../services/context.ts';
import { connectionFor } from '../services/datasource-access.ts';
import { checksumOf } from '../domain/restore-files.ts';
import { isServerPoint, type RecoveryPointResource } from '../domain/recovery-point.ts';
import { allServerFiles, serverFileNames } from '../domain/server-restore-files.ts';
import type { RestoreTaskPayload } from '../queue/tasks.ts';
import { removeInterruptedFiles } from './restore-files-cleanup.ts';
import { stagingDatabaseName } from './restore-staging.ts';
import { containerTargetFor, dumpObjectName, openContainer } from '../services/restore-container.ts';
import { serverObjectNames } from '../services/server-restore-container.ts';
import { isContainerUrl } from '../storage/restore-containers.ts';
import { isNotFound } from '../storage/storage.ts';

/** Removes what an interrupted restore left; says what it removed, or what is left to remove by hand. */
export async function cleanUpInterruptedRestore(ctx: ServiceContext, payload: RestoreTaskPayload): Promise<string> {
  const target = payload.request?.target;
  if (target?.kind === 'files' && isContainerUrl(target.url)) return removeObjects(ctx, payload, target.url, target.filePrefix);
  if (target?.kind === 'files') return removeFiles(ctx, payload, target.filePrefix);
  if (target?.kind === 'server') return serverRestoreLeft(payload.jobId, target.datasourceInfo.resourceID);
  if (target?.kind !== 'database' && target?.kind !== 'items') return 'Nothing it wrote was kept.';
  const items = target.kind === 'items';
  let staging = '';
  let server = target.datasourceInfo.resourceID;
  try {
    const vault = (await ctx.catalog.getResource<BackupVault>(payload.jobId.split('/backupJobs/')[0]!))?.body;
    if (!vault) throw new Error('its vault no longer exists');
    const db = await connectionFor(ctx, vault, target.datasourceInfo.resourceID, target.credentials!.secretStoreResource.uri);
    staging = stagingDatabaseName(db.database, payload.jobId);
    server = `server '${db.server}'`;
    await endSessionsOn(db.maintenance, staging);
    if (!(await databaseExists(db.maintenance, staging))) {
      if (items) return `No staging database was left on ${server}.`;
      return (await databaseExists(db.maintenance, db.database))
        ? `Its staging database '${staging}' was not found on ${server}, and '${db.database}' exists: the restore may have finished just before the stop; check '${db.database}'.`
        : `No database was left on ${server}.`;
    }
    await dropDatabase(db.maintenance, staging);
    if (items) {
      return `The staging database '${staging}' was dropped from ${server}; database '${db.database}' has the restored tables only if their load had committed before the stop.`;
    }
    return `The half-restored staging database '${staging}' was dropped from ${server}; nothing was created under the name '${db.database}'.`;
  } catch (e) {
    const what = `the staging database ${staging ? `'${staging}'` : 'named <target>_dpvault_<job>'} on ${server}`;
    return `Nothing was created under the target name, but ${what} could not be checked or dropped (${toDpError(e).message}); drop it by hand.`;
  }
}

/**
 * A restore as a server is not undone after a stop (only a failure while it runs drops what it
 * made): say exactly what may be left, and where the job's details list it.
 */
function serverRestoreLeft(jobId: string, serverId: string): string {
  return `What the restore had created on flexible server '${serverId.split('/').pop()}' was not removed: the databases its details list as Completed, ` +
    `the roles under 'Roles created', the tablespaces under 'Tablespaces created', and a staging database named ${stagingDatabaseName('<database>', jobId)} ` +
    'if one was loading. Drop them by hand before restoring into that server again.';
}

/**
 * An object target: each put is atomic, so only a file whose checksum never followed is left to
 * remove; files with their checksums are whole and kept. For a whole-server point, every file of its layout.
 */
async function removeObjects(ctx: ServiceContext, payload: RestoreTaskPayload, url: string, filePrefix: string): Promise<string> {
  try {
    const target = containerTargetFor(ctx, url);
    const databases = await serverPointDatabases(ctx, payload);
    const names = databases ? allServerFiles(serverObjectNames(filePrefix, databases)) : [dumpObjectName(filePrefix)];
    const storage = openContainer(target);
    const exists = (n: string) => storage.stat(n).then(() => true, (e: unknown) => (isNotFound(e) ? false : Promise.reject(e)));
    const removed: string[] = [];
    const kept: string[] = [];
    for (const name of names) {
      if (!(await exists(name))) continue;
      if (await exists(checksumOf(name))) kept.push(name);
      else {
        await storage.delete(name);
        removed.push(name);
      }
    }
    const list = (ns: string[]) => ns.map((n) => `'${target.shown}/${n}'`).join(', ');
    const said = [
      removed.length ? `Removed ${list(removed)}, written without ${removed.length > 1 ? 'their checksums' : 'its checksum'}.` : '',
      kept.length ? `${list(kept)} and ${kept.length > 1 ? 'their checksums' : 'its checksum'} were written completely before the stop and are kept.` : '',
    ].filter(Boolean);
    return said.join(' ') || 'It had written no file.';
  } catch (e) {
    return `What it wrote to '${url.replace(/\?.*$/, '')}' could not be checked (${toDpError(e).message}); remove a '${filePrefix}' file without its '.sha256' by hand.`;
  }
}

/** The databases of the restore's point when it is a whole-server point (its files are one per database), else null. */
async function serverPointDatabases(ctx: ServiceContext, payload: RestoreTaskPayload): Promise<string[] | null> {
  const rp = await ctx.catalog.getResource<RecoveryPointResource>(`${payload.instanceId}/recoveryPoints/${payload.recoveryPointId}`);
  return rp && isServerPoint(rp.body) ? rp.body.internal.databases! : null;
}

/**
 * A directory target: the dump and its checksum, or for a whole-server point every file of its
 * layout, the manifest last (restore-files-cleanup.ts).
 */
async function removeFiles(ctx: ServiceContext, payload: RestoreTaskPayload, filePrefix: string): Promise<string> {
  const databases = await serverPointDatabases(ctx, payload);
  if (!databases) return removeInterruptedFiles([payload.destination]);
  return removeInterruptedFiles(allServerFiles(serverFileNames(dirname(payload.destination), filePrefix, databases)));
}
