// A backup job: streams a dump by the pg_dump of the server's major version, its big tables in
// primary-key order (ordered-dump.ts) — of one database, or of every database of a server with
// its globals (backup-source.ts) — into the vault store, and on success leaves a tagged
// recovery point with its retention timeline. A failure at
// any step leaves no recovery point and no data behind, and says why in words a DBA can act on.
import { toDpError } from '../domain/errors.ts';
import type { BackupInstanceResource } from '../domain/backup-instance.ts';
import type { BackupVault } from '../domain/vault.ts';
import type { JobResource } from '../domain/job.ts';
import { backupRuleOf, policyTimeZone, retentionRuleForTag } from '../policy/policy-rules.ts';
import { chooseAdhocTag, chooseTag } from '../policy/tagging.ts';
import { retentionTimeline } from '../policy/retention.ts';
import type { ServiceContext } from '../services/context.ts';
import { recordHealthAfterDamage } from '../services/recovery-point-health.ts';
import { openBackupSource, type BackupSource } from './backup-source.ts';
import { finishJob, loadJob, updateJob } from '../services/jobs.ts';
import type { PolicyResource } from '../domain/policy.ts';
import { buildRecoveryPoint, saveRecoveryPoint } from '../services/recovery-points.ts';
import { copyPendingToSecondary, markCopyPending, type CopyOutcome } from '../services/geo-copies.ts';
import type { RecoveryPointResource } from '../domain/recovery-point.ts';
import { RECOVERY_POINT_TYPE } from '../domain/backup-instance.ts';
import { newHexId } from '../util/ids.ts';
import { vaultStoreKey } from '../domain/recovery-point-store.ts';
import type { StoredDump } from '../domain/recovery-point-store.ts';
import { backupPercent, formatPercent } from './backup-progress.ts';
import { throttle } from './throttle.ts';
import { backupStorageFull, isStorageError } from './storage-full.ts';
import type { BackupTaskPayload } from '../queue/tasks.ts';

export async function runBackupJob(ctx: ServiceContext, payload: BackupTaskPayload): Promise<void> {
  const job = await loadJob(ctx, payload.jobId);
  if (!job || job.properties.status !== 'InProgress') return;
  let stored: StoredDump | undefined;
  let vault: BackupVault | undefined;
  let databaseBytes: number | null = null;
  try {
    const instance = await mustGet<BackupInstanceResource>(ctx, job.properties.backupInstanceId, 'backup instance');
    vault = await mustGet<BackupVault>(ctx, job.id.split('/backupJobs/')[0]!, 'Backup vault');
    const policy = await mustGet<PolicyResource>(ctx, instance.properties.policyInfo.policyId, 'backup policy');
    const source = await openBackupSource(ctx, vault, instance);
    const { sizeBytes, majorVersion, estimateBytes: dataBytes } = source;
    databaseBytes = sizeBytes;
    await updateJob(ctx, job.id, (p) => {
      p.extendedInfo.subTasks[0]!.additionalDetails = {
        DatasourceSizeInBytes: String(sizeBytes), EstimatedBytes: String(dataBytes), BytesTransferred: '0', ProgressPercentage: '0',
      };
    });
    const report = throttle(1000, (bytes: number) =>
      updateJob(ctx, job.id, (p) => setProgress(p.extendedInfo, bytes, dataBytes, false)).then(() => undefined),
    );
    const rpId = newHexId();
    // The recovery point is decided (time, tag, retention) before the dump, and written beside the
    // data, so `vault recover` can rebuild it from storage alone.
    const time = ctx.clock.now();
    const draft = await prepareRecoveryPoint(ctx, { instance, policy, rpId, time, payload, major: majorVersion, source, sizeBytes });
    const unstored = draft({ ref: '', size: 0 });
    const metadata = { instance, recoveryPoint: { ...unstored, internal: { ...unstored.internal, data: {} } } };
    const dump = await source.start();
    // The store's read and `done` report the dump's errors; this listener keeps one from ever
    // being uncaught (say, from a store that failed before it read).
    dump.stdout.on('error', () => {});
    const writing = ctx.store.write({ vaultKey: vaultStoreKey(vault.id), datastore: 'VaultStore', recoveryPointId: rpId, metadata, sizeHint: sizeBytes }, dump.stdout, report.call);
    // A store that fails before (or without) reading everything must not leave the dump waiting
    // on a reader: its output is closed (which settles `done` even if it was never read) and its
    // tools are stopped.
    writing.catch(() => {
      dump.stdout.destroy();
      dump.kill();
    });
    const [w, d] = await Promise.allSettled([writing, dump.done]);
    await report.flush();
    if (w.status === 'fulfilled') stored = w.value;
    // The store's own failure (a full disk) stops the dump too, which then reports only that it
    // was cancelled: the store's error is the cause.
    if (w.status === 'rejected' && isStorageError(w.reason)) throw w.reason;
    if (d.status === 'rejected') throw d.reason;
    if (w.status === 'rejected') throw w.reason;
    const rp = draft(stored!);
    const layout = dump.layout?.();
    if (layout && layout.end === stored!.size) rp.internal.archiveLayout = layout;
    markCopyPending(vault, rp);
    await saveRecoveryPoint(ctx, rp);
    // A GeoRedundant vault's points go to the paired region before the job ends (this one and any
    // whose copy failed before); a failed copy does not fail the backup: the point says why.
    // Past this point the point is saved: nothing may fail the job (whose failure deletes its data).
    const geo = await copyPendingToSecondary(ctx, vault).catch((e: unknown): CopyOutcome => {
      ctx.log?.(`geo-redundant copies of vault ${vault!.name} failed: ${toDpError(e).message}`);
      return { committed: [], failed: [] };
    });
    const geoFailure = geo.failed.find((f) => f.recoveryPointId === rp.name);
    await finishJob(ctx, job.id, {}, (p) => {
      if (geo.committed.includes(rp.name)) p.extendedInfo.additionalDetails = { ...(p.extendedInfo.additionalDetails ?? {}), SecondaryRegionCopy: 'COMMITTED' };
      if (geoFailure) p.extendedInfo.additionalDetails = { ...(p.extendedInfo.additionalDetails ?? {}), SecondaryRegionCopy: `FAILED: ${geoFailure.message}` };
      setProgress(p.extendedInfo, stored!.size, dataBytes, true);
      p.extendedInfo.targetRecoverPoint = { recoveryPointID: rp.name, recoveryPointTime: rp.properties.recoveryPointTime };
      p.extendedInfo.additionalDetails = { ...(p.extendedInfo.additionalDetails ?? {}), RetentionTag: rp.properties.retentionTagName };
    });
  } catch (e) {
    if (stored) await ctx.store.delete(stored);
    const err = toDpError(vault ? backupStorageFull(e, vault, 'VaultStore', databaseBytes) : e);
    await finishJob(ctx, job.id, { error: { code: err.code, message: err.message } });
    if (vault) await recordHealthAfterDamage(ctx, vault.id, err.code);
  }
}

function setProgress(info: JobResource['properties']['extendedInfo'], bytes: number, estimateBytes: number, done: boolean): void {
  info.dataTransferredInBytes = bytes;
  const pct = formatPercent(backupPercent(bytes, estimateBytes, done));
  info.subTasks[0]!.taskProgress = `${pct}%`;
  info.subTasks[0]!.additionalDetails = {
    ...(info.subTasks[0]!.additionalDetails ?? {}),
    BytesTransferred: String(bytes),
    ProgressPercentage: pct,
  };
}

/** Tags the coming recovery point and computes its timeline; returns how to build it once stored. */
async function prepareRecoveryPoint(
  ctx: ServiceContext,
  a: {
    instance: BackupInstanceResource; policy: PolicyResource; rpId: string; time: Date;
    payload: BackupTaskPayload; major: number; source: BackupSource; sizeBytes: number;
  },
): Promise<(stored: StoredDump) => RecoveryPointResource> {
  const criteria = backupRuleOf(a.policy).trigger.taggingCriteria;
  const timeZone = policyTimeZone(a.policy);
  let tag: string;
  if (a.payload.scheduled) {
    const history = await ctx.catalog.listResources<RecoveryPointResource>({ type: RECOVERY_POINT_TYPE, parentId: a.instance.id });
    tag = chooseTag(criteria, timeZone, a.time, history.items.map((h) => new Date(h.body.properties.recoveryPointTime)));
  } else {
    tag = chooseAdhocTag(criteria, a.payload.retentionTagOverride);
  }
  const rule = retentionRuleForTag(a.policy, tag);
  const timeline = retentionTimeline(rule, a.time, timeZone, 'VaultStore');
  return (stored) => buildRecoveryPoint({
    instanceId: a.instance.id,
    recoveryPointId: a.rpId,
    time: a.time,
    tag,
    policyName: a.policy.name,
    timeline,
    stored,
    serverMajorVersion: a.major,
    database: a.source.database,
    databases: a.source.databases,
    metaData: {
      objectType: a.source.metaData.objectType,
      version: '1.0',
      postgresVersion: String(a.major),
      ...a.source.metaData,
      backupType: 'Full',
      backupDumpFormat: 'CUSTOM',
      bytesTransferred: stored.size,
      dataSourceSize: a.sizeBytes,
      backupToolVersion: String(a.major),
    },
  });
}

async function mustGet<T>(ctx: ServiceContext, id: string, what: string): Promise<T> {
  const found = await ctx.catalog.getResource<T>(id);
  if (!found) throw new Error(`The ${what} '${id}' no longer exists.`);
  return found.body;
}
