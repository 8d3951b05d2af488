// `dpvault server`: runs the service (API, scheduler and workers) on its embedded defaults. The
// service's modules are loaded only when a server command runs, not on every CLI start.
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { mkdirSync } from 'node:fs';
import { errors, usage } from '../../domain/errors.ts';
import { rootsFromPathList } from '../../domain/restore-files.ts';
import { memoryBytes } from '../../sources/postgres/restore-settings.ts';
import { durationProblem, nominalMs, parseDuration } from '../../policy/time/duration.ts';
import { systemClock } from '../../util/clock.ts';
import type { TlsMaterial } from '../../services/tls-certificate.ts';
import { defineCommand } from '../command.ts';
import { redactDatabaseUrl } from '../../catalog/database-url.ts';

export const serverCommand = defineCommand({
  path: ['server'],
  summary: 'Run the dpvault service (default 127.0.0.1:7480, data in $DPVAULT_HOME or ~/.dpvault).',
  offline: true,
  args: {
    host: { names: ['--host'], default: '127.0.0.1', help: 'Address to listen on (default 127.0.0.1).' },
    port: { names: ['--port'], type: 'int', default: '7480', help: 'TCP port to listen on (default 7480; 0 picks a free one).' },
    dataDir: { names: ['--data-dir'], help: 'The data directory (default DPVAULT_HOME, else ~/.dpvault).' },
    database: {
      names: ['--database'],
      help: 'Keep the catalog in PostgreSQL at this postgres://USER:PASSWORD@HOST:PORT/DATABASE URL (also DPVAULT_DATABASE) instead of the data directory; servers on one catalog share the master key (DPVAULT_MASTER_KEY).',
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
    tlsCert: { names: ['--tls-cert'], help: 'Serve HTTPS with this certificate (PEM file; with --tls-key).' },
    tlsKey: { names: ['--tls-key'], help: 'The private key of --tls-cert (PEM file).' },
    tlsGenerate: {
      names: ['--tls-generate'],
      arity: 'flag',
      help: 'Serve HTTPS with a self-signed certificate kept in the data directory (made on first start, then reused); its fingerprint is printed at start.',
    },
    insecureHttp: { names: ['--insecure-http'], arity: 'flag', help: 'Serve plain HTTP on a non-loopback address (refused without it).' },
    trustProxy: { names: ['--trust-proxy'], arity: 'flag', help: 'Build answer URLs from X-Forwarded-Proto/X-Forwarded-Host (only behind a reverse proxy you run).' },
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
    maxUploadMbps: { names: ['--max-upload-mbps'], help: 'A bandwidth limit on all of this server\'s writes to storage, in megabits per second (default: none).' },
    config: { names: ['--config'], help: 'A YAML or JSON file with the keys storage, locationStorage, pairedLocations and maxUploadMbps; command-line flags win over it, and it over DPVAULT_STORAGE.' },
  },
  async run(a) {
    tuneRuntime();
    const port = Number(a.port);
    if (!Number.isInteger(port) || port < 0 || port > 65535) throw usage(`argument --port: '${String(a.port)}' is not a TCP port`);
    const auditRetentionDays = Number(a.auditRetentionDays);
    if (!Number.isInteger(auditRetentionDays) || auditRetentionDays < 1) throw usage(`argument --audit-retention-days: '${String(a.auditRetentionDays)}' is not a whole number of days (1 or more)`);
    const rehydrationPollSeconds = Number(a.rehydrationPollSeconds);
    if (!Number.isInteger(rehydrationPollSeconds) || rehydrationPollSeconds < 1) throw usage(`argument --rehydration-poll-seconds: '${String(a.rehydrationPollSeconds)}' is not a whole number of seconds (1 or more)`);
    const dataDir = dataDirOf(a.dataDir as string | undefined);
    const keyOrderMinBytes = byteCount('DPVAULT_KEY_ORDER_MIN_BYTES', process.env.DPVAULT_KEY_ORDER_MIN_BYTES);
    const restoreJobs = workerCount('DPVAULT_RESTORE_JOBS', process.env.DPVAULT_RESTORE_JOBS);
    const repackBudgetBytes = byteCount('DPVAULT_REPACK_BUDGET_BYTES', process.env.DPVAULT_REPACK_BUDGET_BYTES);
    const restoreMaintenanceWorkMem = memorySetting('DPVAULT_RESTORE_MAINTENANCE_WORK_MEM', process.env.DPVAULT_RESTORE_MAINTENANCE_WORK_MEM);
    const restoreFilesRoots = [...((a.restoreFilesRoot as string[] | undefined) ?? []), ...rootsFromPathList(process.env.DPVAULT_RESTORE_FILES_ROOT)].map((p) => resolve(p));
    const restoreFilesContainers = [...((a.restoreFilesContainer as string[] | undefined) ?? []), ...(process.env.DPVAULT_RESTORE_FILES_CONTAINERS ?? '').split(/\s+/).filter(Boolean)];
    const { deliverySettings } = await import('../../services/alert-delivery.ts');
    const alertDelivery = deliverySettings(a.alertWebhookRetries as string | undefined, a.alertWebhookRetryDelay as string | undefined);
    const missedBackupGraceMs = graceSetting(a.missedBackupGrace as string | undefined);
    const log = (line: string) => process.stderr.write(`${systemClock.now().toISOString()} ${line}\n`);
    const tls = await tlsMaterial(a, dataDir, log);
    const { startService } = await import('../../app.ts');
    const { installProcessGuard } = await import('../../jobs/job-guard.ts');
    installProcessGuard(log);
    const { readStorageFile, resolveStorageConfig } = await import('../server-storage-config.ts');
    const configFile = a.config as string | undefined;
    const file = configFile === undefined ? {} : await readStorageFile(configFile);
    const flags = {
      storage: a.storage as string | undefined, locationStorage: a.locationStorage as string[] | undefined, pairedLocation: a.pairedLocation as string[] | undefined,
      maxUploadMbps: a.maxUploadMbps as string | undefined,
    };
    const { storage, locationStorage, pairedLocations, maxUploadMbps } = resolveStorageConfig(flags, file, configFile ?? '', process.env);
    const database = databaseOf(a.database as string | undefined);
    const svc = await startService({ dataDir, database, storage, locationStorage, pairedLocations, maxUploadMbps, host: a.host as string, port, log, keyOrderMinBytes, restoreJobs, repackBudgetBytes, restoreMaintenanceWorkMem, restoreFilesRoots, restoreFilesContainers,
      rehydrationPollMs: rehydrationPollSeconds * 1000,
      alertWebhooks: (a.alertWebhook as string[] | undefined) ?? [], alertDelivery, missedBackupGraceMs, tls, insecureHttp: a.insecureHttp === true, trustProxy: a.trustProxy === true, auditRetentionDays,
    });
    const catalogAt = database === undefined ? '' : `, catalog in ${redactDatabaseUrl(database)}`;
    log(`dpvault listening on ${svc.url} (data in ${dataDir}${catalogAt}${storage ? `, backup data in ${storage.location}` : ''})`);
    if (tls) log(`TLS certificate SHA-256 fingerprint: ${tls.fingerprint} (a client trusts it with DPVAULT_TLS_FINGERPRINT=${tls.fingerprint})`);
    await new Promise<void>((resolve) => {
      const stop = () => resolve();
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
    });
    log('stopping');
    await svc.close();
    return undefined;
  },
});

/** `--missed-backup-grace` in milliseconds (an ISO 8601 duration of hours, minutes or seconds, or days), or undefined for the default. */
function graceSetting(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const problem = durationProblem(text);
  const d = problem ? null : parseDuration(text);
  if (!d || d.years || d.months) throw usage(`argument --missed-backup-grace: '${text}' is not an ISO 8601 duration of weeks, days, hours, minutes or seconds (e.g. PT1H).`);
  return nominalMs(d);
}

/** The certificate and key to serve HTTPS with (--tls-cert/--tls-key or --tls-generate), or undefined for plain HTTP. */
async function tlsMaterial(a: Record<string, unknown>, dataDir: string, log: (line: string) => void): Promise<TlsMaterial | undefined> {
  const cert = a.tlsCert as string | undefined;
  const key = a.tlsKey as string | undefined;
  const generate = a.tlsGenerate === true;
  if ((cert === undefined) !== (key === undefined)) throw errors.argumentValueInvalid('--tls-cert and --tls-key go together: give both, or --tls-generate.');
  if (generate && cert !== undefined) throw errors.argumentValueInvalid('Give either --tls-cert and --tls-key or --tls-generate, not both.');
  if ((generate || cert !== undefined) && a.insecureHttp === true) throw errors.argumentValueInvalid('--insecure-http serves plain HTTP; it does not go with --tls-cert or --tls-generate.');
  const { GENERATED_CERT, GENERATED_KEY, loadOrCreateSelfSigned, readTlsFiles } = await import('../../services/tls-certificate.ts');
  if (cert !== undefined) return readTlsFiles(cert, key!);
  if (!generate) return undefined;
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const made = await loadOrCreateSelfSigned(dataDir, systemClock);
  log(`${made.created ? 'made a self-signed TLS certificate' : 'using the self-signed TLS certificate'} in ${dataDir} (${GENERATED_CERT}; key ${GENERATED_KEY}, mode 0600)`);
  return made;
}

/**
 * The Node setting the server is measured with (docs/benchmarks.md): a young generation of 2 MB
 * semi-spaces keeps a scale-10 backup near 165–200 MiB instead of 210–225 and makes it faster. It
 * only takes effect from the command line, so a server started without it (by hand, not through
 * `npm start`) starts itself again with it, in place (process.execve, same pid), where Node
 * offers that.
 */
function tuneRuntime(): void {
  const execve = (process as { execve?: (file: string, args: string[], env: NodeJS.ProcessEnv) => never }).execve;
  const hasSemiSpace = process.execArgv.some((f) => f.startsWith('--max-semi-space-size'));
  if (!hasSemiSpace && typeof execve === 'function' && process.env.DPVAULT_SERVER_REEXEC === undefined && process.argv[1]) {
    const args = [process.execPath, '--max-semi-space-size=2', ...process.execArgv, process.argv[1], ...process.argv.slice(2)];
    execve(process.execPath, args, { ...process.env, DPVAULT_SERVER_REEXEC: '1' });
  }
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

/** A command on a stopped server's data directory (--data-dir, else DPVAULT_HOME, else ~/.dpvault). */
function dataDirCommand(path: string[], summary: string, run: (dataDir: string) => Promise<unknown>) {
  return defineCommand({
    path,
    summary,
    offline: true,
    args: { dataDir: { names: ['--data-dir'], help: 'The data directory (default DPVAULT_HOME, else ~/.dpvault).' } },
    run: (a) => run(dataDirOf(a.dataDir as string | undefined)),
  });
}

export const rotateMasterKeyCommand = dataDirCommand(
  ['server', 'rotate-master-key'],
  "Replace the server's master key (the server must be stopped): repository keys are wrapped again and key vault secrets sealed again; backup data is not re-encrypted. Resumes an interrupted rotation.",
  async (dataDir) => {
    const { rotateMasterKey } = await import('../../services/master-key-rotation.ts');
    return rotateMasterKey(dataDir);
  },
);

export const rotateSigningKeyCommand = defineCommand({
  path: ['server', 'rotate-signing-key'],
  summary:
    'Make a new key for signing access tokens (the server must be stopped; it takes effect at its next start). Tokens signed by the previous key stay valid until they expire; keys older than that are deleted. With --database, the keys in that PostgreSQL catalog (every server on it takes the new key at its next start).',
  offline: true,
  args: {
    dataDir: { names: ['--data-dir'], help: 'The data directory (default DPVAULT_HOME, else ~/.dpvault).' },
    database: { names: ['--database'], help: 'The PostgreSQL catalog whose keys to rotate (also DPVAULT_DATABASE); the master key is the data directory\'s or DPVAULT_MASTER_KEY.' },
  },
  async run(a) {
    const dataDir = dataDirOf(a.dataDir as string | undefined);
    const database = databaseOf(a.database as string | undefined);
    return withDataDirLocked(dataDir, async () => {
      const keys = database === undefined ? (await import('../../identity/signing-keys.ts')).rotateSigningKey(dataDir) : await rotateInCatalog(dataDir, database);
      return { currentKeyId: keys.current.kid, verifyingKeyIds: keys.verifying.map((k) => k.kid) };
    });
  },
});

/** Rotates the signing keys a PostgreSQL catalog holds, with the master key the catalog was made with. */
async function rotateInCatalog(dataDir: string, database: string) {
  const { PostgresCatalog } = await import('../../catalog/postgres.ts');
  const { existingMasterKey } = await import('../../secrets/master-key.ts');
  const { checkMasterKeyVerifier } = await import('../../secrets/master-key-verifier.ts');
  const { rotateCatalogSigningKey } = await import('../../identity/signing-keys-catalog.ts');
  const masterKey = existingMasterKey(dataDir);
  const catalog = await PostgresCatalog.open(database);
  try {
    await checkMasterKeyVerifier(catalog, masterKey);
    return await rotateCatalogSigningKey(catalog, masterKey);
  } finally {
    await catalog.close();
  }
}

/** The PostgreSQL catalog's URL (--database, else DPVAULT_DATABASE), or undefined for the embedded catalog. */
function databaseOf(given: string | undefined): string | undefined {
  const url = given ?? process.env.DPVAULT_DATABASE;
  return url === undefined || url === '' ? undefined : url;
}

export const catalogMigrateCommand = defineCommand({
  path: ['catalog', 'migrate'],
  summary:
    "Move a stopped embedded server's catalog (resources, recovery points, jobs, operations, settings, key vault secrets, principals, audit log) into an empty PostgreSQL catalog, verified by per-table counts and checksums; then start servers with --database.",
  offline: true,
  args: {
    from: { names: ['--from'], required: true, help: 'The data directory of the stopped embedded server (its catalog.sqlite, master key and signing keys).' },
    to: { names: ['--to'], required: true, help: 'The PostgreSQL catalog to fill: postgres://USER:PASSWORD@HOST:PORT/DATABASE (it must hold no catalog rows yet).' },
  },
  async run(a) {
    const { existingMasterKey } = await import('../../secrets/master-key.ts');
    const { masterKeyVerifier, MASTER_KEY_VERIFIER_SETTING } = await import('../../secrets/master-key-verifier.ts');
    const { existingSigningKeys } = await import('../../identity/signing-keys.ts');
    const { sealedSigningKeys, SIGNING_KEYS_SETTING } = await import('../../identity/signing-keys-catalog.ts');
    const { migrateCatalog } = await import('../../catalog/catalog-migrate.ts');
    const dataDir = resolve(a.from as string);
    return withDataDirLocked(dataDir, async () => {
      // Only servers with the key that sealed the secrets start on the new catalog, and the
      // signing keys move along, sealed under it, so tokens signed before the move stay valid.
      const masterKey = existingMasterKey(dataDir);
      const keys = existingSigningKeys(dataDir);
      const added: [string, string][] = [[MASTER_KEY_VERIFIER_SETTING, masterKeyVerifier(masterKey)]];
      if (keys) added.push([SIGNING_KEYS_SETTING, sealedSigningKeys(keys, masterKey)]);
      return migrateCatalog(dataDir, a.to as string, added);
    });
  },
});

/** Runs fn holding the data directory's lock (refused while a server uses it). */
async function withDataDirLocked<T>(dataDir: string, fn: () => Promise<T>): Promise<T> {
  const { lockDataDir } = await import('../../services/data-dir-lock.ts');
  const unlock = lockDataDir(dataDir);
  try {
    return await fn();
  } finally {
    unlock();
  }
}

/** The data directory, absolute (a relative --data-dir or DPVAULT_HOME is the working directory's). */
function dataDirOf(given: string | undefined): string {
  return resolve(given ?? process.env.DPVAULT_HOME ?? join(homedir(), '.dpvault'));
}

/** A number of sessions from the environment (1 to 64), or undefined when unset. */
function workerCount(name: string, value: string | undefined): number | undefined {
  if (value === undefined || value === '') return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 64) throw usage(`${name} must be a whole number from 1 to 64, not '${value}'`);
  return n;
}
