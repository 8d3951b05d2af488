// A restore job: streams a recovery point's bytes (verified by the store as they are read) into
// pg_restore of the target server's version, into a new database, or into a dump file in a
// directory or an object storage container with its SHA-256 beside it (restore-file.ts,
// restore-object.ts), or a whole-server point into a server (server-restore.ts). A database is
// built under a staging
// name and renamed to its target at the end (restore-staging.ts). A failure drops the staging
// database or removes the half-written file; a failure of any stream fails this job only.
import { basename, dirname } from 'node:path';
import { errors, toDpError } from '../domain/errors.ts';
import type { BackupVault } from '../domain/vault.ts';
import type { DatabaseTarget } from '../domain/restore-request.ts';
import { probeServer, targetRoles } from '../sources/postgres/probe.ts';
import { loadIntoNewDatabase, type NewDatabaseLoad } from './database-load.ts';
import { checkedLayout } from '../domain/archive-layout.ts';
import type { ReadRanges } from '../sources/postgres/ranged-restore.ts';
import type { ServiceContext } from '../services/context.ts';
import { recordHealthAfterDamage } from '../services/recovery-point-health.ts';
import { connectionFor } from '../services/datasource-access.ts';
import { confineTargetDirectory } from '../services/restore-files-root.ts';
import { filesTargetPolicy } from '../services/restores.ts';
import { finishJob, loadJob, updateJob } from '../services/jobs.ts';
import { isServerPoint, storedIn, type RecoveryPointResource } from '../domain/recovery-point.ts';
import { serverFileNames } from '../domain/server-restore-files.ts';
import { restoreServerAsFiles } from './server-files-restore.ts';
import { restoreServer } from './server-restore.ts';
import { rehydrateForRestore } from './rehydration.ts';
import { restoreToFile, type Feed } from './restore-file.ts';
import { containerFileTarget, restoreToObject } from './restore-object.ts';
import { checkContainerTarget, containerTargetFor, dumpObjectName, openContainer } from '../services/restore-container.ts';
import { isContainerUrl } from '../storage/restore-containers.ts';
import { checkServerContainerTarget, serverObjectNames } from '../services/server-restore-container.ts';
import { restoreItems } from './item-restore.ts';
import { throttle } from './throttle.ts';
import type { RestoreTaskPayload } from '../queue/tasks.ts';

export async function runRestoreJob(ctx: ServiceContext, payload: RestoreTaskPayload): Promise<void> {
  const job = await loadJob(ctx, payload.jobId);
  if (!job || job.properties.status !== 'InProgress') return;
  try {
    const rp = (await ctx.catalog.getResource<RecoveryPointResource>(`${payload.instanceId}/recoveryPoints/${payload.recoveryPointId}`))?.body;
    if (!rp) throw new Error(`Recovery point ${payload.recoveryPointId} no longer exists.`);
    // Across regions: the paired region's copy, through its own store. From ArchiveStore:
    // rehydrate to VaultStore first, in this same job.
    const store = payload.secondary ? ctx.store.secondary : ctx.store;
    if (!store) throw errors.crossRegionRestoreNotEnabled(job.properties.vaultName, 'this server pairs no location.');
    const stored = payload.secondary ?? (payload.request.sourceDataStoreType.toLowerCase() === 'archivestore'
      ? await rehydrateForRestore(ctx, job.id, rp.id, payload.request)
      : storedIn(rp, payload.request.sourceDataStoreType));
    if (!stored) throw new Error(`Recovery point ${rp.name} is no longer in ${payload.request.sourceDataStoreType}.`);
    const report = throttle(1000, (bytes: number) =>
      updateJob(ctx, job.id, (p) => {
        p.extendedInfo.dataTransferredInBytes = bytes;
        p.extendedInfo.subTasks[0]!.taskProgress = `${Math.min(100, (bytes / Math.max(1, stored.size)) * 100).toFixed(1)}%`;
      }).then(() => undefined),
    );
    let bytes = 0;
    const onBytes = (total: number): void => {
      bytes = total;
      report.call(total);
    };
    const feed: Feed = (sink) => store.readInto(stored, rp.name, sink, onBytes);
    // Byte ranges read at once by a parallel restore, their progress added up (never past the
    // point's size: its head is read with some bytes ahead that a session reads again).
    // The first read (the head) checks the whole point restorable before its first byte; the
    // sessions after it check only their own chunks.
    let rangesRead = 0;
    let checked = false;
    const readRanges: ReadRanges = async (sink, ranges, share) => {
      let mine = 0;
      await store.readInto(stored, rp.name, sink, (total) => {
        rangesRead += total - mine;
        mine = total;
        onBytes(Math.min(stored.size, rangesRead));
      }, { ranges, share, checked });
      checked = true;
    };
    const layout = checkedLayout(rp.internal.archiveLayout, stored.size);
    let roleDetails: Record<string, string> = {};
    const target = payload.request.target;
    let files: string[] = [payload.destination];
    if (target.kind === 'files' && isContainerUrl(target.url) && isServerPoint(rp)) {
      const databases = rp.internal.databases!;
      await checkServerContainerTarget(ctx, target.url, target.filePrefix, databases); // still allowed, reachable, and nothing there
      const storage = openContainer(containerTargetFor(ctx, target.url));
      const shown = payload.destination.slice(0, -basename(payload.destination).length);
      files = (await restoreServerAsFiles(ctx, rp, stored, serverObjectNames(target.filePrefix, databases), onBytes, containerFileTarget(storage))).map((n) => shown + n);
    } else if (target.kind === 'files' && isContainerUrl(target.url)) {
      await checkContainerTarget(ctx, target.url, target.filePrefix); // still allowed, reachable, and nothing there
      await restoreToObject(feed, openContainer(containerTargetFor(ctx, target.url)), dumpObjectName(target.filePrefix));
    } else if (target.kind === 'files') {
      checkStillConfined(ctx, payload.destination);
      if (isServerPoint(rp)) {
        const names = serverFileNames(dirname(payload.destination), target.filePrefix, rp.internal.databases!);
        files = await restoreServerAsFiles(ctx, rp, stored, names, onBytes);
      } else await restoreToFile(feed, payload.destination);
    } else {
      const vault = (await ctx.catalog.getResource<BackupVault>(job.id.split('/backupJobs/')[0]!))!.body;
      roleDetails = target.kind === 'items'
        ? await restoreItems(ctx, vault, { rp, stored, target, jobId: job.id, onBytes }, feed)
        : target.kind === 'server'
          ? await restoreServer(ctx, vault, { rp, stored, target, jobId: job.id, onBytes })
          : await restoreToDatabase(ctx, vault, target, job.id, feed, layout ? { layout, read: readRanges } : undefined);
    }
    await report.flush();
    await finishJob(ctx, job.id, {}, (p) => {
      p.extendedInfo.dataTransferredInBytes = bytes;
      p.extendedInfo.subTasks[0]!.taskProgress = '100.0%';
      p.extendedInfo.subTasks[0]!.additionalDetails = {
        DataTransferredInBytes: String(bytes),
        ...(payload.request.target.kind === 'files'
          ? files.length > 1 ? { RestoredFiles: files.join(', ') } : { RestoredFile: payload.destination }
          : payload.request.target.kind === 'server' ? { RestoredServer: payload.destination } : { RestoredDatabase: payload.destination }),
      };
      if (payload.request.target.kind === 'files') p.extendedInfo.additionalDetails = { 'Restore File Prefix': payload.request.target.filePrefix };
      else if (Object.keys(roleDetails).length) p.extendedInfo.additionalDetails = { ...p.extendedInfo.additionalDetails, ...roleDetails };
    });
  } catch (e) {
    const err = toDpError(e);
    await finishJob(ctx, job.id, { error: { code: err.code, message: err.message } });
    // Damage in the paired region's copy says nothing of the vault's own data.
    if (!payload.secondary) await recordHealthAfterDamage(ctx, job.id.split('/backupJobs/')[0]!, err.code);
  }
}

/**
 * The request's check again, just before writing: the directory must still resolve to itself (no
 * component replaced by a link since) under an allowed root, outside the data directory.
 */
function checkStillConfined(ctx: ServiceContext, file: string): void {
  const dir = dirname(file);
  const real = confineTargetDirectory(dir, filesTargetPolicy(ctx));
  if (real !== dir) throw errors.restoreTargetMoved(dir, real);
}

/** Restores into a staging database and renames it to the target (database-load.ts); returns what the job reports about roles. */
async function restoreToDatabase(ctx: ServiceContext, vault: BackupVault, target: DatabaseTarget, jobId: string, feed: Feed, ranged?: NewDatabaseLoad['ranged']): Promise<Record<string, string>> {
  const db = await connectionFor(ctx, vault, target.datasourceInfo.resourceID, target.credentials!.secretStoreResource.uri);
  const server = await probeServer(db.maintenance);
  const roles = await targetRoles(db.maintenance, server.majorVersion);
  return loadIntoNewDatabase(ctx, { maintenance: db.maintenance, server, roles, target: db.database, jobId, noOwner: target.noOwner, feed, ranged });
}
