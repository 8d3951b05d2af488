// The shape every vault-wide job shares (verify, repair, maintenance): the job is run only while it
// is InProgress, its work reports details and perhaps an error, and any failure of the work itself
// ends the job with that failure, never leaving it InProgress.
import { toDpError } from '../domain/errors.ts';
import type { JobProperties } from '../domain/job.ts';
import type { ServiceContext } from '../services/context.ts';
import { finishJob, loadJob } from '../services/jobs.ts';
import type { StoredHealth } from '../domain/recovery-point-store.ts';
import { recordRecoveryPointHealth } from '../services/recovery-point-health.ts';

export interface VaultJobOutcome<R> {
  result: R;
  details: Record<string, string>;
  error?: { code: string; message: string };
  /** Further changes to the finished job's properties. */
  change?: (p: JobProperties) => void;
}

/** Runs `work` for the job's vault (its id) and ends the job; null when the job is not InProgress. */
export async function runVaultJob<R>(ctx: ServiceContext, jobId: string, work: (vaultId: string) => Promise<VaultJobOutcome<R>>): Promise<R | null> {
  const job = await loadJob(ctx, jobId);
  if (!job || job.properties.status !== 'InProgress') return null;
  try {
    const out = await work(job.id.split('/backupJobs/')[0]!);
    await finishJob(ctx, job.id, out.error ? { error: out.error } : {}, (p) => {
      p.extendedInfo.additionalDetails = out.details;
      out.change?.(p);
    });
    return out.result;
  } catch (e) {
    const err = toDpError(e);
    await finishJob(ctx, job.id, { error: { code: err.code, message: err.message } });
    return null;
  }
}

/** Records each recovery point's health and the details that say what changed. */
export async function healthDetails(ctx: ServiceContext, vaultId: string, health: readonly StoredHealth[]): Promise<Record<string, string>> {
  const change = await recordRecoveryPointHealth(ctx, vaultId, health);
  return {
    RecoveryPointsUnrestorable: String(health.filter((h) => !h.restorable).length),
    RecoveryPointsMarkedCorrupted: change.damaged.join(',') || 'none',
    RecoveryPointsHealed: change.healed.join(',') || 'none',
  };
}
