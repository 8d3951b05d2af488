// A repair job: verifies a vault's data (quarantining what is damaged), rebuilds each repository's
// index from its packs and salvages what is readable of damaged packs; then records on every
// recovery point whether it can be restored. The job fails, naming what it could not save, when
// anything stays lost.
import { toDpError } from '../domain/errors.ts';
import { vaultStoreKey } from '../domain/recovery-point-store.ts';
import type { ServiceContext } from '../services/context.ts';
import { finishJob, loadJob } from '../services/jobs.ts';
import { recordRecoveryPointHealth } from '../services/recovery-point-health.ts';

export interface RepairTaskPayload {
  jobId: string;
}

export async function runRepairJob(ctx: ServiceContext, payload: RepairTaskPayload): Promise<void> {
  const job = await loadJob(ctx, payload.jobId);
  if (!job || job.properties.status !== 'InProgress') return;
  try {
    const vaultId = job.id.split('/backupJobs/')[0]!;
    const report = await ctx.store.repair(vaultStoreKey(vaultId));
    const change = await recordRecoveryPointHealth(ctx, vaultId, report.health);
    const details = {
      Datastores: report.datastores.join(',') || 'none',
      IndexFilesWritten: String(report.indexFilesWritten),
      IndexFilesRemoved: String(report.indexFilesRemoved),
      PacksSalvaged: String(report.packsSalvaged),
      ChunksSaved: String(report.chunksSaved),
      ChunksLost: String(report.chunksLost),
      RecoveryPointsUnrestorable: String(report.health.filter((h) => !h.restorable).length),
      RecoveryPointsMarkedCorrupted: change.damaged.join(',') || 'none',
      RecoveryPointsHealed: change.healed.join(',') || 'none',
    };
    const error = report.unsaved.length === 0 ? undefined : { code: 'UserErrorBackupDataNotRepairable', message: `The repair could not save everything:\n${report.unsaved.join('\n')}` };
    await finishJob(ctx, job.id, error ? { error } : {}, (p) => {
      p.extendedInfo.additionalDetails = details;
    });
  } catch (e) {
    const err = toDpError(e);
    await finishJob(ctx, job.id, { error: { code: err.code, message: err.message } });
  }
}
