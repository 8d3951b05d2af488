// The retention worker: sweeps every recovery point and carries out, one recorded step at a time,
// what its retention timeline says at `now` (policy/retention-plan.ts decides): copies into
// ArchiveStore when a residency there begins, retires a datastore whose residency ended, deletes
// retired bytes, expires rehydrated copies, and deletes a point when no residency remains.
// Idempotent: a sweep at the same instant twice does nothing the second time; a crash between
// steps leaves a state the next sweep continues from.
import { SerialRunner } from '../util/serial-runner.ts';
import type { DumpLocation, StoredDump } from '../domain/recovery-point-store.ts';
import { listAllInstances } from '../services/backup-instances.ts';
import type { ServiceContext } from '../services/context.ts';
import { loadJob } from '../services/jobs.ts';
import type { RecoveryPointResource } from '../domain/recovery-point.ts';
import { holdsFor, listPointsOf, updateRecoveryPoint } from '../services/recovery-point-retention.ts';
import { nextRetentionStep, refreshDataStores, type Hold, type RetentionStep } from '../policy/retention-plan.ts';
import { vaultStoreKey } from '../domain/recovery-point-store.ts';
import { purgeDeletedInstances, type PurgeReport } from '../services/deleted-instances.ts';
import { CatalogLeases } from '../services/catalog-lease.ts';

/** The catalog lease a sweep holds: one process of those sharing a catalog sweeps at a time. */
export const RETENTION_LEASE = 'retention-sweep';

export interface SweepOptions {
  /** The instant to sweep at (default: the clock's now). */
  now?: Date;
  /** Stop after this many steps (tests use it to stop between any two steps, as a crash would). */
  stepBudget?: number;
}

export interface SweepReport {
  /** Steps taken, by kind. */
  steps: Partial<Record<RetentionStep['kind'], number>>;
  /** Recovery points deleted. */
  deleted: string[];
  errors: { recoveryPointId: string; message: string }[];
  /** False when the step budget ran out before every point was in line. */
  complete: boolean;
  /** Soft-deleted instances whose purge time had passed: purged, and their points deleted. */
  purge?: PurgeReport;
  /** Set when nothing was swept because this process (holder) held the retention lease. */
  sweptBy?: string;
}

/** The location of a recovery point's bytes in a datastore of its vault. */
export function locationOf(rp: RecoveryPointResource, datastore: string, recoveryPointId = rp.name): DumpLocation {
  return { vaultKey: vaultStoreKey(rp.id.split('/backupInstances/')[0]!), datastore, recoveryPointId };
}

export async function sweepRetention(ctx: ServiceContext, opts: SweepOptions = {}): Promise<SweepReport> {
  const now = opts.now ?? ctx.clock.now();
  const report: SweepReport = { steps: {}, deleted: [], errors: [], complete: true };
  let budget = opts.stepBudget ?? Infinity;
  for (const instance of await listAllInstances(ctx)) {
    const points = await listPointsOf(ctx, instance.id);
    const holds = holdsFor(instance, points);
    for (const p of points) {
      const hold = holds.get(p.id) ?? 'none';
      try {
        // A point needs a handful of steps at most (copy, retire, purge); the bound guards against a loop.
        for (let i = 0; i < 16; i++) {
          const rp = (await ctx.catalog.getResource<RecoveryPointResource>(p.id))?.body;
          if (!rp) break;
          const jobId = rp.internal.rehydrated?.status === 'CREATE_IN_PROGRESS' ? rp.internal.rehydrated.jobId : null;
          const running = jobId !== null && (await loadJob(ctx, jobId))?.properties.status === 'InProgress';
          const step = nextRetentionStep(rp, now, hold, running);
          if (!step) break;
          if (budget <= 0) {
            report.complete = false;
            return report;
          }
          budget--;
          await applyStep(ctx, rp, step, now, hold);
          report.steps[step.kind] = (report.steps[step.kind] ?? 0) + 1;
          if (step.kind === 'delete') {
            report.deleted.push(rp.name);
            break;
          }
        }
      } catch (e) {
        report.errors.push({ recoveryPointId: p.name, message: (e as Error).message });
      }
    }
  }
  report.purge = await purgeDeletedInstances(ctx, now);
  return report;
}

async function applyStep(ctx: ServiceContext, rp: RecoveryPointResource, step: RetentionStep, now: Date, hold: Hold): Promise<void> {
  const update = (change: (r: RecoveryPointResource) => void) =>
    updateRecoveryPoint(ctx, rp.id, (r) => {
      change(r);
      refreshDataStores(r, now, hold);
    });
  switch (step.kind) {
    case 'copy': {
      const copied = await ctx.store.copy(rp.internal.data[step.from]!, locationOf(rp, step.to));
      const done = await update((r) => {
        const previous = r.internal.data[step.to];
        if (previous && previous.ref !== copied.ref) (r.internal.pendingDelete ??= []).push(previous);
        r.internal.data[step.to] = copied;
        const details = r.properties.recoveryPointDataStoresDetails.filter((d) => d.type !== step.to || d.rehydrationStatus !== null);
        // A new entry: its id, expiry and metadata are filled in by the refresh.
        details.push({
          id: '', type: step.to, creationTime: step.since, expiryTime: null, metaData: null, visible: true, state: 'COMMITTED', rehydrationExpiryTime: null, rehydrationStatus: null,
        });
        r.properties.recoveryPointDataStoresDetails = details;
      });
      if (!done) await ctx.store.delete(copied);
      return;
    }
    case 'retire':
      await update((r) => {
        const stored = r.internal.data[step.store];
        if (!stored) return;
        (r.internal.pendingDelete ??= []).push(stored);
        delete r.internal.data[step.store];
        r.properties.recoveryPointDataStoresDetails = r.properties.recoveryPointDataStoresDetails.filter((d) => d.type !== step.store || d.rehydrationStatus !== null);
      });
      return;
    case 'purge': {
      const purged: StoredDump[] = [...(rp.internal.pendingDelete ?? [])];
      const h = rp.internal.rehydrated;
      if (h?.status === 'DELETE_IN_PROGRESS' && h.stored) purged.push(h.stored);
      for (const b of purged) await ctx.store.delete(b);
      const refs = new Set(purged.map((b) => b.ref));
      await update((r) => {
        const left = (r.internal.pendingDelete ?? []).filter((b) => !refs.has(b.ref));
        if (left.length) r.internal.pendingDelete = left;
        else delete r.internal.pendingDelete;
        const rh = r.internal.rehydrated;
        if (rh?.status === 'DELETE_IN_PROGRESS' && (!rh.stored || refs.has(rh.stored.ref))) {
          rh.status = 'DELETED';
          rh.stored = null;
        }
      });
      return;
    }
    case 'expireRehydrated':
      await update((r) => {
        if (r.internal.rehydrated?.status === 'COMPLETED') r.internal.rehydrated.status = 'DELETE_IN_PROGRESS';
      });
      return;
    case 'failRehydration':
      await update((r) => {
        const rh = r.internal.rehydrated;
        if (rh?.status !== 'CREATE_IN_PROGRESS') return;
        rh.status = 'FAILED';
        if (rh.stored) (r.internal.pendingDelete ??= []).push(rh.stored);
        rh.stored = null;
      });
      return;
    case 'delete': {
      const bytes = [...Object.values(rp.internal.data), ...(rp.internal.pendingDelete ?? []), ...(rp.internal.rehydrated?.stored ? [rp.internal.rehydrated.stored] : [])];
      // Bytes first: a crash in between leaves an expired point the next sweep deletes again.
      for (const b of bytes) await ctx.store.delete(b);
      await ctx.catalog.deleteResource(rp.id);
      return;
    }
    case 'refresh':
      await update(() => undefined);
      return;
  }
}

/**
 * Runs sweeps on a timer and on demand, one at a time; collects the store's garbage after
 * deletions. Processes sharing a catalog sweep one at a time: a sweep holds the catalog lease
 * RETENTION_LEASE, and a process that finds it held skips its turn.
 */
export class RetentionWorker {
  readonly #ctx: ServiceContext;
  readonly #log: (line: string) => void;
  readonly #runner: SerialRunner<SweepOptions, SweepReport>;
  readonly #leases: CatalogLeases;

  /** `leases`: this process's leases in the catalog (default: a holder of its own). */
  constructor(ctx: ServiceContext, opts: { log?: (line: string) => void; leases?: CatalogLeases } = {}) {
    this.#ctx = ctx;
    this.#log = opts.log ?? (() => undefined);
    this.#leases = opts.leases ?? new CatalogLeases(ctx.catalog, ctx.clock, { log: this.#log });
    this.#runner = new SerialRunner('retention sweep', (o) => this.#sweep(o), this.#log);
  }

  /** Sweeps every `intervalMs` until stopped (the timer does not keep the process alive). */
  start(intervalMs: number): void {
    this.#runner.start(intervalMs, () => ({}));
  }

  stop(): Promise<void> {
    return this.#runner.stop();
  }

  sweep(opts: SweepOptions = {}): Promise<SweepReport> {
    return this.#runner.run(opts);
  }

  async #sweep(opts: SweepOptions): Promise<SweepReport> {
    const leased = await this.#leases.run(RETENTION_LEASE, () => this.#sweepHeld(opts));
    return leased.held ? leased.value : { steps: {}, deleted: [], errors: [], complete: false, sweptBy: leased.holder };
  }

  async #sweepHeld(opts: SweepOptions): Promise<SweepReport> {
    const report = await sweepRetention(this.#ctx, opts);
    for (const e of report.errors) this.#log(`retention: recovery point ${e.recoveryPointId}: ${e.message}`);
    // Deleted recovery points free their space only when no other point shares their chunks.
    if (report.steps.purge || report.steps.delete || report.purge?.deletedPoints) {
      await this.#ctx.store.collectGarbage?.().catch((e: unknown) => this.#log(`retention: garbage collection failed: ${(e as Error).message}`));
    }
    return report;
  }
}
