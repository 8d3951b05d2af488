// What `dpvault server` and `dpvault worker` share: the arguments of the work a process does (its
// data directory, catalog, storage, and the settings jobs run with), read into the service's
// options, and the process's run until SIGINT or SIGTERM. The service's modules are loaded only
// when such a command runs, not on every CLI start.
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { usage } from '../../domain/errors.ts';
import { rootsFromPathList } from '../../domain/restore-files.ts';
import { memoryBytes } from '../../sources/postgres/restore-settings.ts';
import { durationProblem, nominalMs, parseDuration } from '../../policy/time/duration.ts';
import { systemClock } from '../../util/clock.ts';
import type { ArgSpec, ArgValues } from '../command.ts';
import type { ServiceOptions } from '../../app.ts';
import { redactDatabaseUrl } from '../../catalog/database-url.ts';

/** The arguments of the work a server or worker does. */
export const PROCESS_ARGS: Record<string, ArgSpec> = {
  dataDir: { names: ['--data-dir'], help: 'The data directory (default DPVAULT_HOME, else ~/.dpvault).' },
  database: {
    names: ['--database'],
    help: 'Keep the catalog in PostgreSQL at this postgres://USER:PASSWORD@HOST:PORT/DATABASE URL (also DPVAULT_DATABASE) instead of the data directory; servers and workers on one catalog share the master key (DPVAULT_MASTER_KEY).',
  },
  sharedFilesystem: {
    names: ['--shared-filesystem'],
    arity: 'flag',
    help: 'With --database: allow backup data on a filesystem path (file:// or the data directory), because every server and worker sees the same directory there (a network filesystem). Refused without it.',
  },
  restoreFilesRoot: {
    names: ['--restore-files-root'],
    arity: 'many',
    help: 'A directory restores as files may write below (repeatable; also DPVAULT_RESTORE_FILES_ROOT, a :-separated list). None: directory targets are refused.',
  },
  restoreFilesContainer: {
    names: ['--restore-files-container'],
    arity: 'many',
    help: 'An object storage container restores as files may write to: azblob://CONTAINER[/PREFIX]?endpoint=URL or s3://BUCKET[/PREFIX]?endpoint=URL&region=R (repeatable; also DPVAULT_RESTORE_FILES_CONTAINERS, space-separated). A request names it as az does (https://ACCOUNT.blob.core.windows.net/CONTAINER) or by its own URL. None: container targets are refused.',
  },
  alertWebhook: {
    names: ['--alert-webhook'],
    arity: 'many',
    help: 'Deliver every alert (a failed job of a vault with job failure alerts on, a missed backup) as JSON to this http(s) URL (repeatable); retried with backoff.',
  },
  alertWebhookRetries: {
    names: ['--alert-webhook-retries'],
    help: 'Retries of an alert delivery a webhook refused before it is Failed (default 5, 0 to 20).',
  },
  alertWebhookRetryDelay: {
    names: ['--alert-webhook-retry-delay'],
    help: 'Seconds before the first retry of an alert delivery, doubling for each next one (default 1; fractions allowed).',
  },
  missedBackupGrace: {
    names: ['--missed-backup-grace'],
    help: "The least time (ISO 8601, default PT1H) after a scheduled backup's due time before a Missed Backup alert; the grace is this or a tenth of the schedule's interval, whichever is longer.",
  },
  auditRetentionDays: {
    names: ['--audit-retention-days'],
    type: 'int',
    default: '90',
    help: 'Days the audit log (monitor activity-log list) keeps its entries (default 90).',
  },
  storage: {
    names: ['--storage'],
    help: "Where every vault's backup data lives: s3://BUCKET[/PREFIX]?endpoint=URL&region=R, azblob://CONTAINER[/PREFIX]?endpoint=URL or file:///abs/path (default: the config file's storage, else DPVAULT_STORAGE, else backup-data in the data directory). Credentials come from the SDKs' environment variables.",
  },
  locationStorage: {
    names: ['--location-storage'],
    arity: 'many',
    help: 'LOCATION=URL: where vaults created in that Azure location keep their data, instead of --storage (repeatable). A vault keeps the storage it was created with.',
  },
  pairedLocation: { names: ['--paired-location'], arity: 'many', help: 'A=B: the location geo-redundant vaults in A copy to (repeatable).' },
  rehydrationPollSeconds: {
    names: ['--rehydration-poll-seconds'],
    type: 'int',
    default: '60',
    help: 'How often a restore from ArchiveStore on Azure Blob or S3 looks whether the store has rehydrated the archived data (default 60).',
  },
  maxUploadMbps: { names: ['--max-upload-mbps'], help: 'A bandwidth limit on all of this process\'s writes to storage, in megabits per second (default: none).' },
  config: { names: ['--config'], help: 'A YAML or JSON file with the keys storage, locationStorage, pairedLocations and maxUploadMbps; command-line flags win over it, and it over DPVAULT_STORAGE.' },
};

/** A log line on stderr, stamped with the time. */
export const processLog = (line: string): void => void process.stderr.write(`${systemClock.now().toISOString()} ${line}\n`);

/** The service's options from PROCESS_ARGS and the environment; a bad value is refused naming its flag or variable. */
export async function processOptions(a: ArgValues, log: (line: string) => void): Promise<ServiceOptions> {
  const auditRetentionDays = Number(a.auditRetentionDays);
  if (!Number.isInteger(auditRetentionDays) || auditRetentionDays < 1) throw usage(`argument --audit-retention-days: '${String(a.auditRetentionDays)}' is not a whole number of days (1 or more)`);
  const rehydrationPollSeconds = Number(a.rehydrationPollSeconds);
  if (!Number.isInteger(rehydrationPollSeconds) || rehydrationPollSeconds < 1) throw usage(`argument --rehydration-poll-seconds: '${String(a.rehydrationPollSeconds)}' is not a whole number of seconds (1 or more)`);
  const dataDir = dataDirOf(a.dataDir as string | undefined);
  const keyOrderMinBytes = byteCount('DPVAULT_KEY_ORDER_MIN_BYTES', process.env.DPVAULT_KEY_ORDER_MIN_BYTES);
  const restoreJobs = sessionCount('DPVAULT_RESTORE_JOBS', process.env.DPVAULT_RESTORE_JOBS);
  const taskLeaseMs = leaseSeconds('DPVAULT_TASK_LEASE_SECONDS', process.env.DPVAULT_TASK_LEASE_SECONDS);
  const repackBudgetBytes = byteCount('DPVAULT_REPACK_BUDGET_BYTES', process.env.DPVAULT_REPACK_BUDGET_BYTES);
  const restoreMaintenanceWorkMem = memorySetting('DPVAULT_RESTORE_MAINTENANCE_WORK_MEM', process.env.DPVAULT_RESTORE_MAINTENANCE_WORK_MEM);
  const restoreFilesRoots = [...((a.restoreFilesRoot as string[] | undefined) ?? []), ...rootsFromPathList(process.env.DPVAULT_RESTORE_FILES_ROOT)].map((p) => resolve(p));
  const restoreFilesContainers = [...((a.restoreFilesContainer as string[] | undefined) ?? []), ...(process.env.DPVAULT_RESTORE_FILES_CONTAINERS ?? '').split(/\s+/).filter(Boolean)];
  const { deliverySettings } = await import('../../services/alert-delivery.ts');
  const alertDelivery = deliverySettings(a.alertWebhookRetries as string | undefined, a.alertWebhookRetryDelay as string | undefined);
  const missedBackupGraceMs = graceSetting(a.missedBackupGrace as string | undefined);
  const { readStorageFile, resolveStorageConfig } = await import('../server-storage-config.ts');
  const configFile = a.config as string | undefined;
  const file = configFile === undefined ? {} : await readStorageFile(configFile);
  const flags = {
    storage: a.storage as string | undefined, locationStorage: a.locationStorage as string[] | undefined, pairedLocation: a.pairedLocation as string[] | undefined,
    maxUploadMbps: a.maxUploadMbps as string | undefined,
  };
  const { storage, locationStorage, pairedLocations, maxUploadMbps } = resolveStorageConfig(flags, file, configFile ?? '', process.env);
  return {
    dataDir, database: databaseOf(a.database as string | undefined), sharedFilesystem: a.sharedFilesystem === true, storage, locationStorage, pairedLocations, maxUploadMbps, log,
    keyOrderMinBytes, restoreJobs, repackBudgetBytes, restoreMaintenanceWorkMem, restoreFilesRoots, restoreFilesContainers, rehydrationPollMs: rehydrationPollSeconds * 1000,
    alertWebhooks: (a.alertWebhook as string[] | undefined) ?? [], alertDelivery, missedBackupGraceMs, auditRetentionDays, taskLeaseMs,
  };
}

/** Where a started process keeps what: its data directory, the catalog (password hidden) and the backup data. */
export function placesOf(opts: ServiceOptions): string {
  const catalogAt = opts.database === undefined ? '' : `, catalog in ${redactDatabaseUrl(opts.database)}`;
  return `data in ${opts.dataDir}${catalogAt}${opts.storage ? `, backup data in ${opts.storage.location}` : ''}`;
}

/** Resolves at the first SIGINT or SIGTERM. */
export function stopSignal(): Promise<void> {
  return new Promise<void>((resolve) => {
    const stop = () => resolve();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
}

/**
 * glibc's malloc settings a service process runs with, unless its environment sets them: two
 * arenas instead of eight per core, and buffers of 128 KiB and more always mapped on their own
 * (glibc otherwise raises that threshold to the largest buffer freed, up to 32 MiB, and then
 * keeps the memory of freed index tables, pack buffers and index files in its arenas for the
 * life of the process). A 650,000-chunk repository opened, restored, collected and restored
 * again in one process peaked at 242–249 MiB with them against 277–292 without
 * (docs/benchmarks.md, "Scale 100 with the compact gc"). Other C libraries ignore them.
 */
export const MALLOC_ENV: Readonly<Record<string, string>> = { MALLOC_ARENA_MAX: '2', MALLOC_MMAP_THRESHOLD_: '131072' };

/**
 * The Node setting the server is measured with (docs/benchmarks.md): a young generation of 2 MB
 * semi-spaces keeps a scale-10 backup near 165–200 MiB instead of 210–225 and makes it faster.
 * It only takes effect from the command line, and MALLOC_ENV only from the start: so a process
 * started without either (by hand, not through `npm start`) starts itself again with both, in
 * place (process.execve, same pid), where Node offers that. DPVAULT_SERVER_REEXEC turns it off.
 */
export function tuneRuntime(): void {
  const execve = (process as { execve?: (file: string, args: string[], env: NodeJS.ProcessEnv) => never }).execve;
  const hasSemiSpace = process.execArgv.some((f) => f.startsWith('--max-semi-space-size'));
  const hasMalloc = Object.keys(MALLOC_ENV).every((k) => process.env[k] !== undefined);
  if ((!hasSemiSpace || !hasMalloc) && typeof execve === 'function' && process.env.DPVAULT_SERVER_REEXEC === undefined && process.argv[1]) {
    const args = [process.execPath, ...(hasSemiSpace ? [] : ['--max-semi-space-size=2']), ...process.execArgv, process.argv[1], ...process.argv.slice(2)];
    execve(process.execPath, args, { ...MALLOC_ENV, ...process.env, DPVAULT_SERVER_REEXEC: '1' });
  }
}

/** `--missed-backup-grace` in milliseconds (an ISO 8601 duration of hours, minutes or seconds, or days), or undefined for the default. */
function graceSetting(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const problem = durationProblem(text);
  const d = problem ? null : parseDuration(text);
  if (!d || d.years || d.months) throw usage(`argument --missed-backup-grace: '${text}' is not an ISO 8601 duration of weeks, days, hours, minutes or seconds (e.g. PT1H).`);
  return nominalMs(d);
}

/** A PostgreSQL memory value (`256MB`, `1GB`, `65536kB`) or `0` from the environment, or undefined when unset. */
function memorySetting(name: string, value: string | undefined): string | undefined {
  if (value === undefined || value === '') return undefined;
  if (value.trim() === '0' || memoryBytes(value) !== null) return value.trim();
  throw usage(`${name}: '${value}' is not a memory size such as 256MB, 1GB or 65536kB (0 leaves the server's setting)`);
}

/** A whole number of bytes from the environment, or undefined when unset. */
function byteCount(name: string, value: string | undefined): number | undefined {
  if (value === undefined || value === '') return undefined;
  const n = Number(value);
  if (!Number.isSafeInteger(n) || n < 0) throw usage(`${name} must be a whole number of bytes, not '${value}'`);
  return n;
}

/** A number of sessions from the environment (1 to 64), or undefined when unset. */
function sessionCount(name: string, value: string | undefined): number | undefined {
  if (value === undefined || value === '') return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 64) throw usage(`${name} must be a whole number from 1 to 64, not '${value}'`);
  return n;
}

/** A task lease in milliseconds from its seconds (5 to 86400), or undefined for the default. */
function leaseSeconds(name: string, value: string | undefined): number | undefined {
  if (value === undefined || value === '') return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 5 || n > 86_400) throw usage(`${name} must be a whole number of seconds from 5 to 86400, not '${value}'`);
  return n * 1000;
}

/** The PostgreSQL catalog's URL (--database, else DPVAULT_DATABASE), or undefined for the embedded catalog. */
export function databaseOf(given: string | undefined): string | undefined {
  const url = given ?? process.env.DPVAULT_DATABASE;
  return url === undefined || url === '' ? undefined : url;
}

/** The data directory, absolute (a relative --data-dir or DPVAULT_HOME is the working directory's). */
export function dataDirOf(given: string | undefined): string {
  return resolve(given ?? process.env.DPVAULT_HOME ?? join(homedir(), '.dpvault'));
}
