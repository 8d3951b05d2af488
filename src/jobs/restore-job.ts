// A restore job: streams a recovery point's bytes (verified by the store as they are read) into
// pg_restore of the target server's version, into a new database, or into a dump file in a
// directory with its SHA-256 beside it (restore-file.ts). A failure drops the half-restored database or removes
// the half-written file.
import { toDpError } from '../domain/errors.ts';
import type { BackupVault } from '../domain/vault.ts';
import type { DatabaseTarget, RestoreRequest } from '../domain/restore-request.ts';
import { createDatabase, dropDatabase, probeServer } from '../sources/postgres/probe.ts';
import { startRestore } from '../sources/postgres/restore.ts';
import type { ServiceContext } from '../services/context.ts';
import { connectionFor } from '../services/datasource-access.ts';
import { finishJob, loadJob, updateJob } from '../services/jobs.ts';
import { storedIn, type RecoveryPointResource } from '../services/recovery-points.ts';
import { rehydrateForRestore } from './rehydration.ts';
import { restoreToFile, type Feed } from './restore-file.ts';
import { throttle } from './throttle.ts';

export interface RestoreTaskPayload {
  jobId: string;
  recoveryPointId: string;
  instanceId: string;
  request: RestoreRequest;
  destination: string;
}

export async function runRestoreJob(ctx: ServiceContext, payload: RestoreTaskPayload): Promise<void> {
  const job = await loadJob(ctx, payload.jobId);
  if (!job || job.properties.status !== 'InProgress') return;
  try {
    const rp = (await ctx.catalog.getResource<RecoveryPointResource>(`${payload.instanceId}/recoveryPoints/${payload.recoveryPointId}`))?.body;
    if (!rp) throw new Error(`Recovery point ${payload.recoveryPointId} no longer exists.`);
    // From ArchiveStore: rehydrate to VaultStore first, in this same job.
    const stored = payload.request.sourceDataStoreType.toLowerCase() === 'archivestore'
      ? await rehydrateForRestore(ctx, job.id, rp.id, payload.request)
      : storedIn(rp, payload.request.sourceDataStoreType);
    if (!stored) throw new Error(`Recovery point ${rp.name} is no longer in ${payload.request.sourceDataStoreType}.`);
    const report = throttle(1000, (bytes: number) =>
      updateJob(ctx, job.id, (p) => {
        p.extendedInfo.dataTransferredInBytes = bytes;
        p.extendedInfo.subTasks[0]!.taskProgress = `${Math.min(100, (bytes / Math.max(1, stored.size)) * 100).toFixed(1)}%`;
      }).then(() => undefined),
    );
    let bytes = 0;
    const feed: Feed = (sink) =>
      ctx.store.readInto(stored, rp.name, sink, (total) => {
        bytes = total;
        report.call(total);
      });
    if (payload.request.target.kind === 'files') {
      await restoreToFile(feed, payload.destination);
    } else {
      const vault = (await ctx.catalog.getResource<BackupVault>(job.id.split('/backupJobs/')[0]!))!.body;
      await restoreToDatabase(ctx, vault, payload.request.target, feed);
    }
    await report.flush();
    await finishJob(ctx, job.id, {}, (p) => {
      p.extendedInfo.dataTransferredInBytes = bytes;
      p.extendedInfo.subTasks[0]!.taskProgress = '100.0%';
      p.extendedInfo.subTasks[0]!.additionalDetails = {
        DataTransferredInBytes: String(bytes),
        ...(payload.request.target.kind === 'files' ? { RestoredFile: payload.destination } : { RestoredDatabase: payload.destination }),
      };
      if (payload.request.target.kind === 'files') p.extendedInfo.additionalDetails = { 'Restore File Prefix': payload.request.target.filePrefix };
    });
  } catch (e) {
    const err = toDpError(e);
    await finishJob(ctx, job.id, { error: { code: err.code, message: err.message } });
  }
}

async function restoreToDatabase(ctx: ServiceContext, vault: BackupVault, target: DatabaseTarget, feed: Feed): Promise<void> {
  const db = await connectionFor(ctx, vault, target.datasourceInfo.resourceID, target.credentials!.secretStoreResource.uri);
  const server = await probeServer(db.maintenance);
  await createDatabase(db.maintenance, db.database);
  try {
    const restore = await startRestore(db.conn, { major: server.majorVersion, targetDatabase: db.database });
    const feeding = feed(restore.stdin).then(
      () => void restore.stdin.end(),
      (e: unknown) => {
        restore.kill();
        throw e;
      },
    );
    const [f, d] = await Promise.allSettled([feeding, restore.done]);
    // A corrupt recovery point is the root cause even when pg_restore also complained.
    if (f.status === 'rejected' && !(f.reason as NodeJS.ErrnoException).code?.startsWith('EPIPE')) throw f.reason;
    if (d.status === 'rejected') throw d.reason;
    if (f.status === 'rejected') throw f.reason;
  } catch (e) {
    await dropDatabase(db.maintenance, db.database).catch(() => undefined);
    throw e;
  }
}
