// What every service function receives: the catalog, the clock and the installation's identity.
import type { Catalog } from '../catalog/catalog.ts';
import type { TaskQueue } from '../queue/queue.ts';
import type { Clock } from '../util/clock.ts';
import type { RecoveryPointStore } from '../domain/recovery-point-store.ts';
import type { StoragePlacement } from '../storage/placement.ts';
import type { AllowedContainer } from '../storage/restore-containers.ts';
import type { EventMetrics } from './metrics-events.ts';

export interface ServiceContext {
  catalog: Catalog;
  /** Work waiting for a worker (backups, restores, verify, repair, maintenance). */
  queue: TaskQueue;
  clock: Clock;
  /** The installation's subscription and tenant (created at first start). */
  subscriptionId: string;
  tenantId: string;
  /** The server's data directory (catalog, keys, backup data). */
  dataDir: string;
  /** Encrypts secrets at rest and wraps repository keys; never logged or returned. */
  masterKey: Buffer;
  /** Work that runs after a request has been answered (long-running operations, jobs). */
  background: BackgroundRunner;
  /** Where recovery points' bytes live. */
  store: RecoveryPointStore;
  /** Where each vault's backup data is (the service's storage settings); absent in a context built by hand. */
  placement?: StoragePlacement;
  /** Tables of at least this many bytes with a primary key are dumped in key order (default 8 MiB). */
  keyOrderMinBytes?: number;
  /** pg_restore sessions a restore into a database opens at once (default min(4, cores); fewer when the target has fewer connections left). */
  restoreJobs?: number;
  /** maintenance_work_mem of a restore's pg_restore sessions, e.g. `256MB`; `0` leaves the server's (restore-settings.ts). */
  restoreMaintenanceWorkMem?: string;
  /** Directories a restore as files may write below (--restore-files-root); none refuses every directory target. */
  restoreFilesRoots?: readonly string[];
  /** Containers and buckets a restore as files may write to (--restore-files-container); none refuses every container target. */
  restoreFilesContainers?: readonly AllowedContainer[];
  /** How often a restore waiting for a rehydration from an archive tier looks again (ms; `--rehydration-poll-seconds`). */
  rehydrationPollMs?: number;
  /** The server log (ServiceOptions.log): one line per event, never a secret. */
  log?: (line: string) => void;
  /** The event metrics (jobs ended, storage errors) GET /metrics shows; absent in a context built by hand. */
  metrics?: EventMetrics;
  /** Webhooks every alert is delivered to (--alert-webhook); none when absent. */
  alertWebhooks?: readonly string[];
  /** Attempts per webhook and the backoff between them (--alert-webhook-retries, --alert-webhook-retry-delay); alert-delivery.ts's defaults when absent. */
  alertDelivery?: AlertDeliverySettings;
  /** The least grace a scheduled backup has before it counts as missed (--missed-backup-grace; scheduler/overdue.ts's default, an hour, when absent). */
  missedBackupGraceMs?: number;
  /** Tells the workers that a task was queued (set by the composition root). */
  onTaskQueued?: () => void;
}

/** How alert deliveries are retried (alert-delivery.ts). */
export interface AlertDeliverySettings {
  /** Attempts per webhook before its delivery is Failed (the first and its retries). */
  attempts: number;
  /** The wait before the first retry; each next one waits twice as long (at most an hour). */
  firstRetryDelayMs: number;
}

export interface BackgroundRunner {
  run(name: string, fn: () => Promise<void>): void;
  /** Resolves when all background work started so far has settled (for tests and shutdown). */
  idle(): Promise<void>;
}

export class InProcessBackground implements BackgroundRunner {
  readonly #pending = new Set<Promise<void>>();
  readonly #log: (msg: string) => void;
  constructor(log: (msg: string) => void = () => undefined) {
    this.#log = log;
  }
  run(name: string, fn: () => Promise<void>): void {
    const p = new Promise<void>((resolve) => setImmediate(resolve))
      .then(fn)
      .catch((e: unknown) => this.#log(`background ${name} failed: ${e instanceof Error ? e.message : String(e)}`))
      .finally(() => this.#pending.delete(p));
    this.#pending.add(p);
  }
  async idle(): Promise<void> {
    while (this.#pending.size) await Promise.all([...this.#pending]);
  }
}
