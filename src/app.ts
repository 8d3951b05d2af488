// The composition root: opens the catalog, creates the installation's identity on first start and
// wires the API. `dpvault server` and the test fixture both start the service through here.
import { mkdirSync } from 'node:fs';
import { secureDataDir } from './services/data-dir-modes.ts';
import { isAbsolute, join, resolve } from 'node:path';
import type { AddressInfo } from 'node:net';
import { randomUUID } from 'node:crypto';
import type { Catalog } from './catalog/catalog.ts';
import { openCatalogStore } from './services/catalog-store.ts';
import { checkMasterKeyVerifier } from './secrets/master-key-verifier.ts';
import { loadOrCreateCatalogSigningKeys } from './identity/signing-keys-catalog.ts';
import { buildRouter } from './api/routes/index.ts';
import { createApiServer, type ApiServer } from './api/server.ts';
import { createApp, type App } from './api/app.ts';
import { identityHandlers } from './api/routes/identity.ts';
import { portalHandlers } from './api/routes/portal.ts';
import { bearerTokenResolver } from './api/authentication.ts';
import { loadOrCreateSigningKeys } from './identity/signing-keys.ts';
import { SignInLimits, type SignInLimitSettings } from './identity/sign-in-limits.ts';
import { ensureOwner, OWNER_CREDENTIALS_FILE } from './identity/owner-bootstrap.ts';
import { InProcessBackground, type AlertDeliverySettings, type ServiceContext } from './services/context.ts';
import { EventMetrics } from './services/metrics-events.ts';
import { checkWebhooks, deliverAlert } from './services/alert-delivery.ts';
import { loadOrCreateMasterKey } from './secrets/master-key.ts';
import { RepositoryStore } from './jobs/repository-store.ts';
import { GeoRedundantStore } from './jobs/geo-redundant-store.ts';
import type { RecoveryPointStore } from './domain/recovery-point-store.ts';
import type { LockOptions } from './repository/locks.ts';
import { recordedStorage, STORAGE_SETTING_KEY, storageFactoryFor, type StorageSetting } from './storage/configured.ts';
import { StoragePlacement, storageRefused, type LocationStorage } from './storage/placement.ts';
import { allowedContainers, type AllowedContainer } from './storage/restore-containers.ts';
import { Bandwidth, mbpsToBytesPerSecond } from './storage/bandwidth.ts';
import { catalogVaultStorageRecords } from './services/vault-storage-records.ts';
import { recoverInterruptedWork } from './jobs/recovery.ts';
import { LostTaskReaper } from './jobs/lost-tasks.ts';
import { runBackupJob } from './jobs/backup-job.ts';
import { runRestoreJob } from './jobs/restore-job.ts';
import { DEFAULT_TASK_LEASE_MS, Worker } from './jobs/worker.ts';
import { runVerifyJob } from './jobs/verify-job.ts';
import { runRepairJob } from './jobs/repair-job.ts';
import { RetentionWorker } from './jobs/retention-job.ts';
import { MaintenanceScheduler, runMaintenanceJob } from './jobs/maintenance-job.ts';
import { Scheduler } from './scheduler/scheduler.ts';
import { systemClock, type Clock } from './util/clock.ts';
import { lockDataDir } from './services/data-dir-lock.ts';
import { checkNoRotationPending } from './services/master-key-rotation.ts';
import { listenError } from './services/listen-error.ts';
import { checkListenPolicy } from './services/listen-policy.ts';
import { errors } from './domain/errors.ts';
import { CatalogLeases } from './services/catalog-lease.ts';
import { catalogCreateOnce, type CreateOnce } from './services/create-once.ts';
import { localStorageConfigured, localStorageRecorded, refuseUnlessShared } from './storage/shared-filesystem.ts';

export interface ServiceOptions {
  dataDir: string;
  /**
   * A PostgreSQL catalog (`--database`/DPVAULT_DATABASE, a postgres:// URL) shared by any number
   * of servers, instead of <data-dir>/catalog.sqlite; its password is never shown.
   */
  database?: string;
  /** Where every vault's backup data lives (default: `backup-data` under the data directory). */
  storage?: StorageSetting;
  /** Per Azure location, where the vaults created there keep their data (overrides `storage`). */
  locationStorage?: readonly LocationStorage[];
  /** Each location's pair (`--paired-location A=B`), for geo-redundant copies. */
  pairedLocations?: Readonly<Record<string, string>>;
  host?: string;
  port?: number;
  clock?: Clock;
  log?: (line: string) => void;
  /** How often the scheduler looks for due backups (default 30 s). */
  schedulerIntervalMs?: number;
  /** How often the retention worker sweeps recovery points (default 10 min). */
  retentionIntervalMs?: number;
  /** How often every vault's maintenance (garbage collection, repacking) is queued (default 24 h). */
  maintenanceIntervalMs?: number;
  /** Audit log entries older than this many days are removed by the maintenance worker (default 90). */
  auditRetentionDays?: number;
  /** Tables of at least this many bytes with a primary key are dumped in key order (default 8 MiB). */
  keyOrderMinBytes?: number;
  /** pg_restore sessions a restore into a database opens at once (default min(4, cores); fewer when the target has fewer connections left). */
  restoreJobs?: number;
  /** maintenance_work_mem of a restore's pg_restore sessions (default 256MB; `0` leaves the server's). */
  restoreMaintenanceWorkMem?: string;
  /** Directories a restore as files may write below (--restore-files-root); none refuses every directory target. */
  restoreFilesRoots?: readonly string[];
  /** Containers and buckets a restore as files may write to (--restore-files-container: azblob:// or s3:// URLs); none refuses every container target. */
  restoreFilesContainers?: readonly string[];
  /** How often a restore waiting for a rehydration from an archive tier looks again, in ms (`--rehydration-poll-seconds`; default a minute). */
  rehydrationPollMs?: number;
  /** Webhooks every alert is delivered to (`--alert-webhook`; http or https URLs, checked at start). */
  alertWebhooks?: readonly string[];
  /** Attempts per webhook and the first retry's delay (`--alert-webhook-retries`, `--alert-webhook-retry-delay`; default 6 attempts, 1 s doubling). */
  alertDelivery?: AlertDeliverySettings;
  /** The least grace a scheduled backup has before a Missed Backup alert (`--missed-backup-grace`; default an hour). */
  missedBackupGraceMs?: number;
  /** Serve HTTPS with this certificate and key (PEM). */
  tls?: { cert: string; key: string };
  /** Serve plain HTTP on a non-loopback address (refused without it). */
  insecureHttp?: boolean;
  /** Absolute URLs in answers follow X-Forwarded-Proto/-Host (a reverse proxy in front). */
  trustProxy?: boolean;
  /** Bytes one maintenance may write per datastore repacking for locality (default 0: off; docs/benchmarks.md). */
  repackBudgetBytes?: number;
  /** A bandwidth limit on all writes to storage, in megabits per second (`--max-upload-mbps`); none when omitted. */
  maxUploadMbps?: number;
  /** The repositories' locks between processes: expiry, refresh, how long an operation waits (repository/locks.ts). */
  repositoryLocks?: LockOptions;
  /** Failed sign-ins tolerated per client id and per address (identity/sign-in-limits.ts defaults). */
  signInLimits?: Partial<SignInLimitSettings>;
  /** Run jobs in this server too (default); false (`--no-worker`) serves the API only and leaves jobs to `dpvault worker`s. */
  runJobs?: boolean;
  /**
   * How long a claimed task stays leased to its worker without a heartbeat (default the worker's,
   * five minutes; `DPVAULT_TASK_LEASE_SECONDS`). In the shared mode a task whose lease is over is
   * run again or failed (lost-tasks.ts), looked for every fifth of this.
   */
  taskLeaseMs?: number;
  /** Tasks the worker loop runs at once (`dpvault worker --concurrency`; default the worker's). */
  concurrency?: number;
  /** With a PostgreSQL catalog, a storage on this machine's filesystem is allowed: every process sees the same directory (`--shared-filesystem`). */
  sharedFilesystem?: boolean;
}

/** The API of a process: `dpvault server`. */
export interface ApiService {
  ctx: ServiceContext;
  server: ApiServer;
  /** The API in-process (`app.request`), the same pipeline the server serves. */
  app: App;
  /** `http://` or `https://` and the address listened on. */
  url: string;
  close(): Promise<void>;
}

/** The background work of a process: the worker loop running every kind of task, and the periodic queuers and sweeps. */
export interface BackgroundWork {
  worker: Worker;
  scheduler: Scheduler;
  retention: RetentionWorker;
  maintenance: MaintenanceScheduler;
}

/** Background work started, and how to stop it (the worker waits for the tasks it runs). */
interface StartedWork {
  work: BackgroundWork;
  stop(): Promise<void>;
}

/** `dpvault server` running jobs too (the default; `--no-worker` leaves them to workers). */
export type RunningService = ApiService & BackgroundWork;

/** `dpvault worker`: background work on a PostgreSQL catalog, and no API. */
export interface WorkerService extends BackgroundWork {
  ctx: ServiceContext;
  close(): Promise<void>;
}

export async function openContext(given: ServiceOptions): Promise<ServiceContext> {
  const opts = absoluteDataDir(given);
  mkdirSync(opts.dataDir, { recursive: true, mode: 0o700 });
  secureDataDir(opts.dataDir, opts.log);
  const metrics = new EventMetrics();
  const stackOptions = {
    onError: () => metrics.storageError(),
    ...(opts.maxUploadMbps === undefined ? {} : { upload: new Bandwidth(mbpsToBytesPerSecond(opts.maxUploadMbps)) }),
  };
  const backupData = storageFactoryFor(opts.dataDir, opts.storage, stackOptions); // a bad setting fails before anything is opened
  const restoreFilesContainers = restoreContainersSetting(opts.restoreFilesContainers ?? []);
  const { catalog, queue } = await openCatalogStore(opts.dataDir, opts.database, opts.log);
  let placement: StoragePlacement;
  let masterKey: Buffer;
  let subscriptionId: string;
  let tenantId: string;
  try {
    placement = new StoragePlacement(backupData, opts.locationStorage ?? [], catalogVaultStorageRecords(catalog), stackOptions, opts.pairedLocations ?? {});
    masterKey = loadOrCreateMasterKey(opts.dataDir);
    // Servers sharing a catalog share the master key: the first records its verifier, another key is refused.
    if (opts.database !== undefined) await checkMasterKeyVerifier(catalog, masterKey);
    subscriptionId = await setting(catalog, 'subscriptionId', randomUUID);
    tenantId = await setting(catalog, 'tenantId', randomUUID);
  } catch (e) {
    await catalog.close();
    throw e;
  }
  const clock = opts.clock ?? systemClock;
  secureDataDir(opts.dataDir); // what was just made (the catalog's files follow the umask)
  return {
    catalog,
    queue,
    clock,
    subscriptionId,
    tenantId,
    dataDir: opts.dataDir,
    masterKey,
    store: recoveryPointStore(placement, masterKey, clock, opts, opts.database === undefined ? undefined : catalogCreateOnce(catalog, clock, opts.log)),
    placement,
    background: new InProcessBackground(opts.log),
    keyOrderMinBytes: opts.keyOrderMinBytes,
    restoreJobs: opts.restoreJobs,
    restoreMaintenanceWorkMem: opts.restoreMaintenanceWorkMem,
    restoreFilesRoots: opts.restoreFilesRoots,
    restoreFilesContainers,
    rehydrationPollMs: opts.rehydrationPollMs,
    alertWebhooks: checkWebhooks(opts.alertWebhooks ?? []),
    alertDelivery: opts.alertDelivery,
    missedBackupGraceMs: opts.missedBackupGraceMs,
    log: opts.log,
    metrics,
  };
}

/** The vaults' own storage; with paired locations, beside each vault's copy in its location's pair. */
function recoveryPointStore(placement: StoragePlacement, masterKey: Buffer, clock: Clock, opts: ServiceOptions, createOnce?: CreateOnce): RecoveryPointStore {
  const primary = new RepositoryStore(placement, masterKey, clock, { repackBudgetBytes: opts.repackBudgetBytes, locks: opts.repositoryLocks, createOnce });
  if (Object.keys(opts.pairedLocations ?? {}).length === 0) return primary;
  const secondary = new RepositoryStore(placement.secondary(), masterKey, clock, { repackBudgetBytes: opts.repackBudgetBytes, locks: opts.repositoryLocks, create: false });
  return new GeoRedundantStore(primary, secondary, async (vaultKey) => (await placement.pairOfVault(vaultKey)) !== undefined, { clock, locks: opts.repositoryLocks });
}

/** Starts `dpvault server`: the API, and the background work unless `runJobs` is false (`--no-worker`). */
export async function startService(given: ServiceOptions & { runJobs: false }): Promise<ApiService>;
export async function startService(given: ServiceOptions & { runJobs?: true }): Promise<RunningService>;
export async function startService(given: ServiceOptions): Promise<ApiService | RunningService>;
export async function startService(given: ServiceOptions): Promise<ApiService | RunningService> {
  const opts = absoluteDataDir(given);
  checkListenPolicy(opts.host ?? '127.0.0.1', opts.tls !== undefined, opts.insecureHttp === true);
  return withProcessStarted(opts, 'server', (ctx, instancePrefix, unlock) => startApi(ctx, opts, instancePrefix, unlock));
}

/** Starts `dpvault worker`: the background work on a PostgreSQL catalog (refused without one), and no API. */
export async function startWorker(given: ServiceOptions): Promise<WorkerService> {
  const opts = absoluteDataDir(given);
  if (opts.database === undefined) throw errors.workerWithoutDatabase();
  return withProcessStarted(opts, 'worker', async (ctx, instancePrefix, unlock) => {
    const background = await startBackground(ctx, opts, instancePrefix).catch(async (e: unknown) => {
      await ctx.catalog.close();
      throw e;
    });
    return {
      ctx,
      ...background.work,
      async close() {
        await background.stop();
        await ctx.background.idle();
        await ctx.catalog.close();
        unlock();
      },
    };
  });
}

/**
 * What a server and a worker do first: lock the data directory, open the catalog (the master key
 * checked against it), check the storage (every one answers, it is the one the vaults were created
 * with, and in the scale-out mode every process sees it), and end what the last stop interrupted.
 * Then `start` with this process instance's id; what fails before that closes the catalog, and
 * the data directory is given back when anything fails.
 */
async function withProcessStarted<T>(opts: ServiceOptions, role: 'server' | 'worker', start: (ctx: ServiceContext, instancePrefix: string, unlock: () => void) => Promise<T>): Promise<T> {
  const shared = opts.database !== undefined;
  // Refused before anything is opened or written: a storage setting other processes may not see.
  if (shared) refuseUnlessShared(opts.sharedFilesystem === true, localStorageConfigured(opts.dataDir, opts.storage, opts.locationStorage ?? []));
  mkdirSync(opts.dataDir, { recursive: true, mode: 0o700 });
  checkNoRotationPending(opts.dataDir);
  const unlock = lockDataDir(opts.dataDir);
  try {
    const ctx = await openContext(opts);
    // This process instance: its workers' lease holder names start with it. Holding the data-dir
    // lock, it knows every other lease of its queue was held by a previous instance, which start-up ends.
    const instancePrefix = `${role}-${randomUUID()}/`;
    try {
      const placement = ctx.placement!;
      if (shared) refuseUnlessShared(opts.sharedFilesystem === true, await localStorageRecorded(catalogVaultStorageRecords(ctx.catalog)));
      // Every storage in use answers, all probed at once, so a bad one is refused within a minute.
      await placement.probeAll(opts.storage?.setting ?? '--data-dir');
      await checkStorageUnchanged(ctx.catalog, opts.storage);
      for (const m of await placement.moved()) {
        opts.log?.(`vault ${m.vaultKey} (${m.azureLocation}) keeps its backup data in '${m.recorded}', where it was created; new vaults in ${m.azureLocation} go to '${m.configured}'`);
      }
      const interrupted = await recoverInterruptedWork(ctx, placement, instancePrefix, shared);
      if (interrupted) opts.log?.(`failed ${interrupted} job(s) interrupted by the last stop`);
    } catch (e) {
      await ctx.catalog.close();
      throw e;
    }
    return await start(ctx, instancePrefix, unlock);
  } catch (e) {
    unlock();
    throw e;
  }
}

/** The API on an opened context, then the background work unless `runJobs` is false. */
async function startApi(ctx: ServiceContext, opts: ServiceOptions, instancePrefix: string, unlock: () => void): Promise<ApiService | RunningService> {
  let server: ApiServer;
  let app: App;
  try {
    // The address first: a server that cannot listen must not have started any work (a worker's
    // or scheduler's timers kept such a process alive, serving nothing).
    // Sign-in: the token service's keys, and the Owner on a fresh data directory. Every request
    // over HTTP needs a bearer token but the public routes (api/public-routes.ts). Tokens live by
    // the wall clock (systemClock), whatever clock the service's work runs on.
    const keys = opts.database === undefined ? loadOrCreateSigningKeys(ctx.dataDir) : await loadOrCreateCatalogSigningKeys(ctx.catalog, ctx.masterKey);
    if (await ensureOwner(ctx)) opts.log?.(`made the Owner principal; its credentials are in ${join(ctx.dataDir, OWNER_CREDENTIALS_FILE)} (mode 0600)`);
    const identity = { ctx, keys, limits: new SignInLimits(systemClock, opts.signInLimits), clock: systemClock };
    app = createApp(buildRouter(), {
      context: ctx, log: opts.log, resolveCaller: bearerTokenResolver(identity), publicHandlers: { ...identityHandlers(identity), ...portalHandlers() }, trustProxy: opts.trustProxy,
    });
    server = createApiServer(app, { log: opts.log, tls: opts.tls });
    await listen(server, opts.host ?? '127.0.0.1', opts.port ?? 7480);
  } catch (e) {
    await ctx.catalog.close();
    throw e;
  }
  const closeApi = async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
    server.closeAllConnections();
  };
  const closeRest = async () => {
    await ctx.background.idle();
    await ctx.catalog.close();
  };
  let background: StartedWork | undefined;
  if (opts.runJobs !== false) {
    try {
      background = await startBackground(ctx, opts, instancePrefix);
    } catch (e) {
      await closeApi();
      await closeRest(); // the caller gives the directory back
      throw e;
    }
  }
  const addr = server.address() as AddressInfo;
  const host = addr.family === 'IPv6' ? `[${addr.address}]` : addr.address;
  return {
    ctx,
    ...background?.work,
    server,
    app,
    url: `${opts.tls ? 'https' : 'http'}://${host}:${addr.port}`,
    async close() {
      await closeApi();
      await background?.stop();
      await closeRest();
      unlock();
    },
  };
}

/**
 * The background work of a process (a server's unless --no-worker, a worker's): the worker loop
 * with a handler for every kind of task, the backup scheduler, retention sweeps and the
 * maintenance look (which hold catalog leases, so one process of many does each round). At start
 * retention catches up and the scheduler runs the most recent missed occurrence.
 */
async function startBackground(ctx: ServiceContext, opts: ServiceOptions, instancePrefix: string): Promise<StartedWork> {
  const worker = new Worker(
    ctx,
    ctx.queue,
    {
      backup: (p) => runBackupJob(ctx, p),
      restore: (p) => runRestoreJob(ctx, p),
      verify: (p) => runVerifyJob(ctx, p),
      repair: (p) => runRepairJob(ctx, p),
      maintenance: async (p) => void (await runMaintenanceJob(ctx, p)),
      alertDelivery: (p) => deliverAlert(ctx, p),
    },
    {
      log: opts.log, idPrefix: instancePrefix, ...(opts.concurrency === undefined ? {} : { concurrency: opts.concurrency }),
      ...(opts.taskLeaseMs === undefined ? {} : { leaseMs: opts.taskLeaseMs }),
    },
  );
  ctx.onTaskQueued = () => worker.poke();
  const leases = new CatalogLeases(ctx.catalog, ctx.clock, { holder: instancePrefix, log: opts.log });
  const retention = new RetentionWorker(ctx, { log: opts.log, leases });
  const scheduler = new Scheduler(ctx, { log: opts.log });
  const maintenance = new MaintenanceScheduler(ctx, { log: opts.log, auditRetentionDays: opts.auditRetentionDays, leases });
  // Shared: the tasks of workers lost on any process are run again or failed (one process at a time looks).
  // Its catalog lease lasts as long as a task's: a process killed while looking holds up the next look no longer than a lost task waits.
  const taskLeaseMs = opts.taskLeaseMs ?? DEFAULT_TASK_LEASE_MS;
  const reaper = ctx.queue.shared ? new LostTaskReaper(ctx, new CatalogLeases(ctx.catalog, ctx.clock, { holder: instancePrefix, ttlMs: taskLeaseMs, log: opts.log })) : undefined;
  const stop = async () => {
    await reaper?.stop();
    await scheduler.stop();
    await retention.stop();
    await maintenance.stop();
    await worker.stop();
  };
  try {
    await reaper?.reap();
    worker.start();
    await retention.sweep();
    await scheduler.tick();
    retention.start(opts.retentionIntervalMs ?? 600_000);
    scheduler.start(opts.schedulerIntervalMs ?? 30_000);
    maintenance.start(opts.maintenanceIntervalMs ?? 86_400_000);
    reaper?.start(taskLeaseMs / 5);
  } catch (e) {
    await stop();
    throw e;
  }
  return { work: { worker, scheduler, retention, maintenance }, stop };
}

/** Listens on host:port, or fails with an error that names the address and what to do. */
async function listen(server: ApiServer, host: string, port: number): Promise<void> {
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => {
        server.off('error', reject);
        resolve();
      });
    });
  } catch (e) {
    throw listenError(e as NodeJS.ErrnoException, host, port);
  }
}

/**
 * The vaults of a data directory keep the storage they were created with: the first start
 * records it, and a later start with another storage setting is refused instead of finding every
 * recovery point gone.
 */
async function checkStorageUnchanged(catalog: Catalog, storage: StorageSetting | undefined): Promise<void> {
  const given = recordedStorage(storage);
  const recorded = await setting(catalog, STORAGE_SETTING_KEY, () => given);
  if (recorded !== given) throw errors.storageSettingChanged(storage?.setting ?? 'the default (no --storage or DPVAULT_STORAGE)', recorded, given);
}

/** The setting, made once when absent (in a transaction: servers starting together on one catalog agree). */
async function setting(catalog: Catalog, key: string, make: () => string): Promise<string> {
  const found = await catalog.getSetting(key);
  if (found) return found;
  return catalog.transaction(async () => {
    const again = await catalog.getSetting(key);
    if (again) return again;
    const value = make();
    await catalog.setSetting(key, value);
    return value;
  });
}

/** The options with the data directory made absolute: what lies inside it is compared by path (restores as files never write there). */
function absoluteDataDir(opts: ServiceOptions): ServiceOptions {
  return isAbsolute(opts.dataDir) ? opts : { ...opts, dataDir: resolve(opts.dataDir) };
}

/** The containers restores as files may write to; one that is not a container URL stops the start, naming the setting. */
function restoreContainersSetting(urls: readonly string[]): AllowedContainer[] {
  try {
    return allowedContainers(urls);
  } catch (e) {
    throw storageRefused('--restore-files-container', e);
  }
}
