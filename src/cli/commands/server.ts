// `dpvault server`: runs the service (API, and jobs unless --no-worker) on its embedded defaults,
// or on a PostgreSQL catalog beside other servers and workers (worker.ts). The service's modules
// are loaded only when a server command runs, not on every CLI start.
import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { errors, usage } from '../../domain/errors.ts';
import { systemClock } from '../../util/clock.ts';
import type { TlsMaterial } from '../../services/tls-certificate.ts';
import { defineCommand } from '../command.ts';
import { dataDirOf, databaseOf, placesOf, PROCESS_ARGS, processLog, processOptions, stopSignal, tuneRuntime } from './service-process.ts';

export const serverCommand = defineCommand({
  path: ['server'],
  summary: 'Run the dpvault service (default 127.0.0.1:7480, data in $DPVAULT_HOME or ~/.dpvault).',
  offline: true,
  args: {
    host: { names: ['--host'], default: '127.0.0.1', help: 'Address to listen on (default 127.0.0.1).' },
    port: { names: ['--port'], type: 'int', default: '7480', help: 'TCP port to listen on (default 7480; 0 picks a free one).' },
    ...PROCESS_ARGS,
    noWorker: {
      names: ['--no-worker'],
      arity: 'flag',
      help: 'Serve the API (and the portal) only and run no jobs: with --database, `dpvault worker` processes run them.',
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
  },
  async run(a) {
    tuneRuntime();
    const port = Number(a.port);
    if (!Number.isInteger(port) || port < 0 || port > 65535) throw usage(`argument --port: '${String(a.port)}' is not a TCP port`);
    const log = processLog;
    const opts = await processOptions(a, log);
    const tls = await tlsMaterial(a, opts.dataDir, log);
    const { startService } = await import('../../app.ts');
    const { installProcessGuard } = await import('../../jobs/job-guard.ts');
    installProcessGuard(log);
    const stopped = stopSignal(); // a signal while starting stops the process once it has started
    const svc = await startService({
      ...opts, host: a.host as string, port, tls, insecureHttp: a.insecureHttp === true, trustProxy: a.trustProxy === true, runJobs: a.noWorker !== true,
    });
    log(`dpvault listening on ${svc.url} (${placesOf(opts)}${a.noWorker === true ? '; running no jobs: --no-worker' : ''})`);
    if (tls) log(`TLS certificate SHA-256 fingerprint: ${tls.fingerprint} (a client trusts it with DPVAULT_TLS_FINGERPRINT=${tls.fingerprint})`);
    await stopped;
    log('stopping');
    await svc.close();
    return undefined;
  },
});

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
