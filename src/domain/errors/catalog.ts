// Errors of where the catalog lives: a PostgreSQL catalog's URL (--database or DPVAULT_DATABASE),
// its reachability, its schema version, the master key it was started with, and the move of an
// embedded catalog onto it (`dpvault catalog migrate`). A URL is always named redacted.
import { DpError } from './dp-error.ts';

const SETTING = '--database (or DPVAULT_DATABASE)';

export const catalogErrors = {
  catalogUrlInvalid: (redacted: string): DpError =>
    new DpError('usage', 'InvalidArgumentValueError', `${SETTING}: '${redacted}' is not a PostgreSQL URL; give postgres://USER:PASSWORD@HOST:PORT/DATABASE.`),
  catalogUnreachable: (redacted: string, cause: string): DpError =>
    new DpError(
      'unavailable',
      'CatalogUnreachable',
      `The catalog database given by ${SETTING} at '${redacted}' cannot be used: ${cause}. Check the host, port, database, user and password, and that the server accepts connections from here.`,
    ),
  catalogSchemaNewer: (found: number, known: number): DpError =>
    new DpError(
      'conflict',
      'CatalogSchemaNewer',
      `The catalog's schema is at version ${found}, newer than this dpvault knows (${known}): a newer dpvault migrated it. Start this server with that version (or newer); an older one would misread the catalog.`,
    ),
  masterKeyMismatch: (): DpError =>
    new DpError(
      'conflict',
      'MasterKeyMismatch',
      'This process\'s master key is not the one the catalog was created with: every server and worker on one catalog must share the master key (DPVAULT_MASTER_KEY, or the same <data-dir>/master.key). Start it with that key.',
    ),
  catalogMigrateSourceMissing: (dataDir: string): DpError =>
    new DpError('usage', 'InvalidArgumentValueError', `--from: '${dataDir}' holds no embedded catalog (catalog.sqlite); give the data directory of a stopped dpvault server.`),
  masterKeyMissing: (dataDir: string): DpError =>
    new DpError(
      'usage',
      'InvalidArgumentValueError',
      `--from: '${dataDir}' has no master.key and DPVAULT_MASTER_KEY is not set: give the master key the server ran with (it sealed the catalog's secrets).`,
    ),
  catalogMigrateTargetNotEmpty: (redacted: string, rows: number): DpError =>
    new DpError(
      'conflict',
      'CatalogNotEmpty',
      `--to: the catalog at '${redacted}' already holds ${rows} row(s); a migration only fills an empty catalog, so nothing was copied. Give a new database.`,
    ),
  catalogMigrateMismatch: (table: string, why: string): DpError =>
    new DpError('internal', 'CatalogMigrationMismatch', `The copy of table ${table} does not match its source (${why}); the transaction was rolled back and the target is empty again.`),
  workerWithoutDatabase: (): DpError =>
    new DpError(
      'usage',
      'InvalidArgumentValueError',
      `dpvault worker runs the jobs of servers that share a PostgreSQL catalog: give ${SETTING} (postgres://USER:PASSWORD@HOST:PORT/DATABASE). An embedded installation (no --database) runs its jobs in dpvault server itself, so a worker of its own would find no work.`,
    ),
  localStorageNotShared: (setting: string, location: string): DpError =>
    new DpError(
      'usage',
      'LocalStorageNotShared',
      `${setting} keeps backup data on this machine's filesystem ('${location}'), but servers and workers on one catalog (${SETTING}) may run on other machines and would not see it. ` +
        'Use object storage (azblob:// or s3://), or add --shared-filesystem to every server and worker if each one sees this same directory (a network filesystem mounted at the same path).',
    ),
};
