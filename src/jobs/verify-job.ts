// A verify job: reads back a vault's stored data (all of it, or a sample of its packs) and checks
// every chunk; what is damaged is quarantined, each recovery point's health is recorded, and the
// job fails naming each damaged pack and the recovery points it affects.
import { BACKUP_DATA_DAMAGED } from '../domain/errors.ts';
import type { ServiceContext } from '../services/context.ts';
import { vaultStoreKey } from '../domain/recovery-point-store.ts';
import { healthDetails, runVaultJob } from './vault-job.ts';
import type { VerifyTaskPayload } from '../queue/tasks.ts';

export async function runVerifyJob(ctx: ServiceContext, payload: VerifyTaskPayload): Promise<void> {
  await runVaultJob(ctx, payload.jobId, async (vaultId) => {
    const report = await ctx.store.verify(vaultStoreKey(vaultId), payload.samplePercent);
    const details = {
      SamplePercent: String(payload.samplePercent),
      Datastores: report.datastores.join(',') || 'none',
      PacksChecked: `${report.packsChecked} of ${report.packsTotal}`,
      ChunksChecked: String(report.chunksChecked),
      BytesRead: String(report.bytesRead),
      ...(await healthDetails(ctx, vaultId, report.health)),
    };
    const error = report.ok
      ? undefined
      : {
          code: BACKUP_DATA_DAMAGED,
          message: report.problems
            .map((p) => `${p.datastore} pack ${p.pack}: ${p.problem}; recovery points affected: ${p.recoveryPoints.join(', ') || 'none'}`)
            .join('\n'),
        };
    return { result: undefined, details, error, change: (p) => void (p.extendedInfo.dataTransferredInBytes = report.bytesRead) };
  });
}
