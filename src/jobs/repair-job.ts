// A repair job: verifies a vault's data (quarantining what is damaged), rebuilds each repository's
// index from its packs and salvages what is readable of damaged packs; then records on every
// recovery point whether it can be restored. The job fails, naming what it could not save, when
// anything stays lost.
import { BACKUP_DATA_NOT_REPAIRABLE } from '../domain/errors.ts';
import { vaultStoreKey } from '../domain/recovery-point-store.ts';
import type { ServiceContext } from '../services/context.ts';
import { healthDetails, runVaultJob } from './vault-job.ts';
import type { RepairTaskPayload } from '../queue/tasks.ts';

export async function runRepairJob(ctx: ServiceContext, payload: RepairTaskPayload): Promise<void> {
  await runVaultJob(ctx, payload.jobId, async (vaultId) => {
    const report = await ctx.store.repair(vaultStoreKey(vaultId));
    const details = {
      Datastores: report.datastores.join(',') || 'none',
      IndexFilesWritten: String(report.indexFilesWritten),
      IndexFilesRemoved: String(report.indexFilesRemoved),
      PacksSalvaged: String(report.packsSalvaged),
      ChunksSaved: String(report.chunksSaved),
      ChunksLost: String(report.chunksLost),
      ...(await healthDetails(ctx, vaultId, report.health)),
    };
    const error = report.unsaved.length === 0 ? undefined : { code: BACKUP_DATA_NOT_REPAIRABLE, message: `The repair could not save everything:\n${report.unsaved.join('\n')}` };
    return { result: undefined, details, error };
  });
}
