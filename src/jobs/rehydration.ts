// Rehydration for a restore from ArchiveStore: the archived bytes are copied back to VaultStore
// (a copy of its own, so nothing else's bytes are ever touched), shown on the recovery point as a
// VaultStore entry with rehydrationStatus CREATE_IN_PROGRESS, then COMPLETED with
// rehydrationExpiryTime = completion + the requested days. The retention worker deletes the copy at
// that time (DELETE_IN_PROGRESS, then DELETED). A copy still valid is reused and kept longer.
// On a store that keeps ArchiveStore's packs in an archive tier (Azure Blob, S3) the store is
// first asked to rehydrate the packs the point reads, with the requested priority, and the job
// waits, looking every `rehydrationPollMs`, until they are readable; once copied they go back to
// the archive tier (Azure Blob), or their restored copies expire a day later (S3), so the only
// rehydrated copy is the VaultStore one, kept for the requested days as Azure Backup keeps it.
import { errors } from '../domain/errors.ts';
import type { DumpLocation, StoredDump } from '../domain/recovery-point-store.ts';
import type { RestoreRequest } from '../domain/restore-request.ts';
import { addDuration, ZERO_DURATION } from '../policy/time/duration.ts';
import type { ServiceContext } from '../services/context.ts';
import type { RecoveryPointResource } from '../domain/recovery-point.ts';
import { holdOf, updateRecoveryPoint } from '../services/recovery-point-retention.ts';
import { refreshDataStores } from '../policy/retention-plan.ts';
import { rehydrationOf } from '../services/restores.ts';
import { locationOf } from './retention-job.ts';
import { updateJob } from '../services/jobs.ts';

/** How often a rehydration from an archive tier looks whether the objects are readable, unless set. */
export const DEFAULT_REHYDRATION_POLL_MS = 60_000;
/** Days an S3 restored copy of an archived pack stays readable: it is read once, into VaultStore. */
const STORE_COPY_DAYS = 1;

/** The archived bytes rehydrated in the store (where it has tiers), copied to `to`, and let go back. */
async function copyFromArchive(ctx: ServiceContext, jobId: string, from: StoredDump, to: DumpLocation, priority: string): Promise<StoredDump> {
  const release = await ctx.store.rehydrate?.(from, {
    priority: priority.toLowerCase() === 'high' ? 'high' : 'standard',
    days: STORE_COPY_DAYS,
    pollIntervalMs: ctx.rehydrationPollMs ?? DEFAULT_REHYDRATION_POLL_MS,
    onProgress: (readable, total) =>
      void updateJob(ctx, jobId, (p) => {
        p.extendedInfo.subTasks[0]!.taskProgress = `Rehydrating: ${readable} of ${total} archived objects readable`;
      }).catch(() => undefined),
  });
  try {
    return await ctx.store.copy(from, to);
  } finally {
    await release?.();
  }
}

type Claim = { use: StoredDump } | { copyFrom: StoredDump; rp: RecoveryPointResource };

/** Makes (or reuses) the VaultStore copy of an archived recovery point; returns the bytes to restore. */
export async function rehydrateForRestore(ctx: ServiceContext, jobId: string, rpId: string, request: RestoreRequest): Promise<StoredDump> {
  const { priority, days } = rehydrationOf(request);
  const hold = await holdOf(ctx, rpId);
  const start = ctx.clock.now();
  const expiry = (from: Date) => addDuration(from, { ...ZERO_DURATION, days }, 'UTC').toISOString();
  const claimed = await updateRecoveryPoint<Claim>(ctx, rpId, (rp) => {
    const vault = rp.internal.data.VaultStore;
    if (vault) return { use: vault };
    const h = rp.internal.rehydrated;
    if (h?.status === 'COMPLETED' && h.stored && (h.expiresAt === null || Date.parse(h.expiresAt) > start.getTime())) {
      if (h.expiresAt !== null && expiry(start) > h.expiresAt) h.expiresAt = expiry(start);
      refreshDataStores(rp, start, hold);
      return { use: h.stored };
    }
    if ((h?.status === 'CREATE_IN_PROGRESS' && h.jobId !== jobId) || h?.status === 'DELETE_IN_PROGRESS') {
      throw errors.rehydrationInProgress(`Recovery point ${rp.name} is being rehydrated or its rehydrated copy deleted by other work; run the restore again when it has finished.`);
    }
    const archived = rp.internal.data.ArchiveStore;
    if (!archived) throw errors.recoveryPointLeftDatastore(`Recovery point ${rp.name} is no longer in ArchiveStore.`);
    if (h?.stored) (rp.internal.pendingDelete ??= []).push(h.stored);
    rp.internal.rehydrated = { status: 'CREATE_IN_PROGRESS', stored: null, startedAt: start.toISOString(), expiresAt: null, priority, jobId };
    refreshDataStores(rp, start, hold);
    return { copyFrom: archived, rp };
  });
  if (!claimed) throw errors.recoveryPointGone(`Recovery point ${rpId.split('/').pop()} no longer exists.`);
  const claim = claimed.result;
  if ('use' in claim) return claim.use;
  const to = locationOf(claim.rp, 'VaultStore', `${claim.rp.name}-rehydrated-${jobId.split('/').pop()}`);
  const finish = async (change: (h: NonNullable<RecoveryPointResource['internal']['rehydrated']>) => void) =>
    updateRecoveryPoint(ctx, rpId, (rp) => {
      const h = rp.internal.rehydrated;
      if (h?.jobId === jobId && h.status === 'CREATE_IN_PROGRESS') change(h);
      refreshDataStores(rp, ctx.clock.now(), hold);
      return h?.stored ?? null;
    });
  let copied: StoredDump;
  try {
    copied = await copyFromArchive(ctx, jobId, claim.copyFrom, to, priority);
  } catch (e) {
    await finish((h) => (h.status = 'FAILED'));
    throw e;
  }
  const done = await finish((h) => {
    h.status = 'COMPLETED';
    h.stored = copied;
    h.expiresAt = expiry(ctx.clock.now());
  });
  if (!done || done.result?.ref !== copied.ref) {
    await ctx.store.delete(copied);
    throw errors.recoveryPointGone(`Recovery point ${claim.rp.name} changed while it was being rehydrated; run the restore again.`);
  }
  return copied;
}
