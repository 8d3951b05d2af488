// A verify job: reads back a vault's stored data (all of it, or a sample of its packs) and checks
// every chunk; the job fails and names each damaged pack and the recovery points it affects.
import { toDpError } from '../domain/errors.ts';
import type { ServiceContext } from '../services/context.ts';
import { finishJob, loadJob } from '../services/jobs.ts';
import { vaultStoreKey } from '../domain/recovery-point-store.ts';
import { recordRecoveryPointHealth } from '../services/recovery-point-health.ts';

export interface VerifyTaskPayload {
  jobId: string;
  samplePercent: number;
}

export async function runVerifyJob(ctx: ServiceContext, payload: VerifyTaskPayload): Promise<void> {
  const job = await loadJob(ctx, payload.jobId);
  if (!job || job.properties.status !== 'InProgress') return;
  try {
    const vaultId = job.id.split('/backupJobs/')[0]!;
    const report = await ctx.store.verify(vaultStoreKey(vaultId), payload.samplePercent);
    const change = await recordRecoveryPointHealth(ctx, vaultId, report.health);
    const details = {
      SamplePercent: String(payload.samplePercent),
      Datastores: report.datastores.join(',') || 'none',
      PacksChecked: `${report.packsChecked} of ${report.packsTotal}`,
      ChunksChecked: String(report.chunksChecked),
      BytesRead: String(report.bytesRead),
      RecoveryPointsUnrestorable: String(report.health.filter((h) => !h.restorable).length),
      RecoveryPointsMarkedCorrupted: change.damaged.join(',') || 'none',
      RecoveryPointsHealed: change.healed.join(',') || 'none',
    };
    const error = report.ok
      ? undefined
      : {
          code: 'UserErrorBackupDataDamaged',
          message: report.problems
            .map((p) => `${p.datastore} pack ${p.pack}: ${p.problem}; recovery points affected: ${p.recoveryPoints.join(', ') || 'none'}`)
            .join('\n'),
        };
    await finishJob(ctx, job.id, error ? { error } : {}, (p) => {
      p.extendedInfo.dataTransferredInBytes = report.bytesRead;
      p.extendedInfo.additionalDetails = details;
    });
  } catch (e) {
    const err = toDpError(e);
    await finishJob(ctx, job.id, { error: { code: err.code, message: err.message } });
  }
}
