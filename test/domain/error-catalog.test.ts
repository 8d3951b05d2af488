// The error catalog pinned: each constructor's code, HTTP status and message, as users saw them
// before the catalog existed (codes and messages must not change when a throw site moves into
// it), and every constructor of `errors` is pinned here, so a new one is added with its code.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DpError, errors, POLICY_CODES } from '../../src/domain/errors.ts';
import { UPPER_PINS } from './error-catalog-upper-pins.ts';

type Pinned = [DpError, string, number, string];
const space = { freeBytes: 10, neededBytes: null };

const PINNED: Record<keyof typeof errors, Pinned> = {
  ...UPPER_PINS,
  authenticationMissing: [errors.authenticationMissing(), 'AuthenticationFailed', 401, "Authentication failed. The 'Authorization' header is missing."],
  authenticationHeaderMalformed: [
    errors.authenticationHeaderMalformed(), 'AuthenticationFailed', 401, "Authentication failed. The 'Authorization' header is provided in an invalid format.",
  ],
  tokenInvalid: [errors.tokenInvalid('the token is malformed'), 'InvalidAuthenticationToken', 401, 'The access token is invalid: the token is malformed.'],
  tokenExpired: [
    errors.tokenExpired('2026-01-01T00:00:00.000Z', '2026-01-01T01:00:00.000Z'), 'ExpiredAuthenticationToken', 401,
    "The access token expiry UTC time '2026-01-01T00:00:00.000Z' is earlier than current UTC time '2026-01-01T01:00:00.000Z'.",
  ],
  tokenPrincipalGone: [errors.tokenPrincipalGone(), 'InvalidAuthenticationToken', 401, 'The access token is invalid: its principal no longer exists.'],
  servicePrincipalNotFound: [
    errors.servicePrincipalNotFound('x'), 'Request_ResourceNotFound', 404, "Resource 'x' does not exist or one of its queried reference-property objects are not present.",
  ],
  principalRequestInvalid: [errors.principalRequestInvalid('m'), 'Request_BadRequest', 400, 'm'],
  managedIdentityCredentials: [
    errors.managedIdentityCredentials('x'), 'Request_BadRequest', 400, "'x' is a managed identity: it has no password credentials and cannot sign in.",
  ],
  signingKeysDamaged: [errors.signingKeysDamaged('/k', 'gone'), 'SigningKeysDamaged', 500, 'The token signing keys in /k cannot be read: gone.'],
  signInRefused: [errors.signInRefused('invalid_client', 'd'), 'AuthenticationFailed', 401, 'Sign-in failed (invalid_client): d'],
  tokenOverPlainHttp: [
    errors.tokenOverPlainHttp('http://h:1'), 'InsecureEndpoint', 400,
    'Refusing to send an access token to http://h:1 over plain HTTP: only loopback addresses may be reached without TLS. Use https:// (start the server with --tls-generate or --tls-cert).',
  ],
  notSignedIn: [
    errors.notSignedIn(), 'AuthenticationFailed', 401,
    "Please run 'dpvault login --service-principal -u APPID -p SECRET --tenant TENANT' to sign in (no cached sign-in, and no readable owner-credentials.json).",
  ],
  storageObjectNotFound: [errors.storageObjectNotFound('packs/ab'), 'StorageObjectNotFound', 404, "The storage object 'packs/ab' does not exist."],
  storageFailure: [errors.storageFailure('read', 'x', 'EIO', false), 'StorageFailure', 500, "Storage read of 'x' failed: EIO"],
  storageFull: [errors.storageFull('full', space), 'UserErrorStorageFull', 409, 'full'],
  geoRedundancyUnavailable: [errors.geoRedundancyUnavailable('m', 'location'), 'UserErrorGeoRedundancyNotAvailable', 400, 'm'],
  crossRegionRestoreNotEnabled: [
    errors.crossRegionRestoreNotEnabled('v', 'why'), 'UserErrorCrossRegionRestoreNotEnabled', 400, "Cross region restore is not available for the backup vault 'v': why",
  ],
  crossRegionWrongRegion: [errors.crossRegionWrongRegion('m', 't'), 'UserErrorInvalidRestoreLocation', 400, 'm'],
  secondaryRecoveryPointNotFound: [
    errors.secondaryRecoveryPointNotFound('rp', 'bi', 'eastus'), 'UserErrorRecoveryPointNotFound', 404,
    "The recovery point 'rp' of backup instance 'bi' is not available in the secondary region eastus; it may not be copied there yet (recovery-point list --use-secondary-region lists what is).",
  ],
  geoCopyMismatch: [errors.geoCopyMismatch('packs/ab/ab', 'dir'), 'GeoRedundantCopyMismatch', 500, "The copy of 'packs/ab/ab' read back from the paired region's storage (dir) differs from what was written."],
  storageInvalidName: [errors.storageInvalidName('../x'), 'StorageInvalidName', 400, "'../x' is not a valid storage object name."],
  storageInvalidRange: [errors.storageInvalidRange('x', 10, 4, undefined), 'StorageInvalidRange', 400, "The range 4+* does not lie inside 'x' (10 bytes)."],
  storageSegmentInvalid: [errors.storageSegmentInvalid('vault', 'a/b'), 'InvalidStorageLocation', 500, "'a/b' cannot name a vault in storage."],
  storageLocationNotUnderstood: [errors.storageLocationNotUnderstood('rel/dir'), 'InvalidStorageLocation', 400, "'rel/dir' is neither an absolute path nor a storage URL."],
  storageSchemeUnknown: [errors.storageSchemeUnknown('s3', 'file'), 'InvalidStorageLocation', 400, "No storage backend handles 's3:' locations (known: file)."],
  storageUrlInvalid: [errors.storageUrlInvalid('s3://', 'it names no bucket.'), 'InvalidStorageLocation', 400, "The storage location 's3://' is not valid: it names no bucket."],
  storageObjectArchived: [errors.storageObjectArchived('packs/ab'), 'StorageObjectArchived', 409, "The storage object 'packs/ab' is in the archive tier; rehydrate it before reading it."],
  storageSettingRefused: [
    errors.storageSettingRefused('--storage', 'it is unreachable.'), 'InvalidStorageSetting', 400, 'The storage given by --storage cannot be used: it is unreachable.',
  ],
  storageSettingChanged: [
    errors.storageSettingChanged('DPVAULT_STORAGE', 'the data directory', 's3://b'), 'StorageSettingChanged', 409,
    "This data directory's vaults keep their backup data in 'the data directory', but DPVAULT_STORAGE now says 's3://b'. Start the server with the storage its vaults were created with; moving backup data to another storage is not supported yet.",
  ],
  storageCredentialsMissing: [
    errors.storageCredentialsMissing('azblob://c', 'AZURE_STORAGE_CONNECTION_STRING'), 'StorageCredentialsMissing', 400,
    "No credentials for the storage 'azblob://c': set AZURE_STORAGE_CONNECTION_STRING.",
  ],
  repositoryDataCorrupt: [errors.repositoryDataCorrupt('bad pack'), 'RepositoryDataCorrupt', 500, 'bad pack'],
  repositoryConfigDamaged: [
    errors.repositoryConfigDamaged('/r', [{ name: 'config', problem: 'it is missing' }, { name: 'config-copy', problem: 'bad' }]),
    'RepositoryDataCorrupt', 500, 'Every copy of the repository config at /r is damaged: config: it is missing; config-copy: bad.',
  ],
  repositoryKeyMismatch: [errors.repositoryKeyMismatch(true), 'RepositoryKeyMismatch', 403, 'The master key does not open this repository, and its other config copy is damaged.'],
  repositoryKeyInvalid: [errors.repositoryKeyInvalid(), 'InvalidRepositoryKey', 400, 'A repository master key must be exactly 32 bytes.'],
  repositoryManifestNotFound: [errors.repositoryManifestNotFound('m1'), 'RepositoryManifestNotFound', 404, "The repository holds no recovery point manifest 'm1'."],
  repositoryNotFound: [errors.repositoryNotFound('/r'), 'RepositoryNotFound', 404, 'No dpvault repository exists at /r.'],
  repositoryAlreadyExists: [errors.repositoryAlreadyExists('/r'), 'RepositoryAlreadyExists', 409, 'A dpvault repository already exists at /r.'],
  repositoryOptionInvalid: [errors.repositoryOptionInvalid('m'), 'InvalidRepositoryOption', 400, 'm'],
  repositoryLocked: [
    errors.repositoryLocked('garbage collection', 'exclusive', 'backup (host h, pid 7, since t, expires u)', 60), 'RepositoryLocked', 409,
    'The repository is locked: garbage collection needs an exclusive lock, but backup (host h, pid 7, since t, expires u) still held it after 60 s of waiting. It runs again once that lock is released (or expires, if its holder died).',
  ],
  repositoryGcRunning: [errors.repositoryGcRunning(), 'RepositoryGcRunning', 409, 'Garbage collection is already running on this repository.'],
  backupReusedDamagedData: [
    errors.backupReusedDamagedData(2, 'p1: bad'), 'UserErrorBackupReusedDamagedData', 500,
    'The backup reused 2 chunk(s) of stored data found damaged during the run (p1: bad); it was not kept. Those packs are quarantined: run the backup again and it stores that data anew.',
  ],
  postgresAuthFailed: [errors.postgresAuthFailed('m'), 'UserErrorDBUserAuthFailed', 400, 'm'],
  postgresDatabaseNotFound: [errors.postgresDatabaseNotFound('m'), 'UserErrorDBNotFound', 400, 'm'],
  postgresPermissionMissing: [errors.postgresPermissionMissing('m'), 'UserErrorMissingDBPermissions', 400, 'm'],
  postgresConnectionClosed: [errors.postgresConnectionClosed('m'), 'UserErrorServerConnectionClosed', 503, 'm'],
  postgresServerUnreachable: [errors.postgresServerUnreachable('m'), 'UserErrorDBServerUnreachable', 503, 'm'],
  postgresTlsRefused: [errors.postgresTlsRefused('m'), 'UserErrorDBServerUnreachable', 400, 'm'],
  postgresError: [errors.postgresError('m'), 'InternalError', 500, 'm'],
  databaseNameInUse: [errors.databaseNameInUse('m'), 'UserErrorDatabaseNameAlreadyInUse', 400, 'm'],
  databaseNameLength: [errors.databaseNameLength(), 'UserErrorInvalidRequestParameter', 400, 'A database name must be 1 to 63 bytes long.'],
  connectionStringInvalid: [errors.connectionStringInvalid('m'), 'UserErrorSecretValueInUnsupportedFormat', 400, 'm'],
  backupToolNotFound: [errors.backupToolNotFound('m'), 'UserErrorBackupToolNotFound', 400, 'm'],
  toolNotStarted: [errors.toolNotStarted('BackupToolFailed', 'm'), 'BackupToolFailed', 500, 'm'],
  toolFailed: [errors.toolFailed('UserErrorServerConnectionClosed', 'm'), 'UserErrorServerConnectionClosed', 503, 'm'],
  dumpFailed: [errors.dumpFailed('m'), 'BackupToolFailed', 500, 'm'],
  restoreFailed: [errors.restoreFailed('m'), 'RestoreToolFailed', 500, 'm'],
  keyVaultValueInvalid: [errors.keyVaultValueInvalid('p', ['x'], ' Hint.'), 'BadRequest', 400, 'Invalid value found at p: ["x"]. Hint.'],
  keyVaultNameInvalid: [
    errors.keyVaultNameInvalid('a'), 'VaultNameNotValid', 400,
    "The vault name 'a' is invalid. A vault's name must be between 3-24 alphanumeric characters. The name must begin with a letter, end with a letter or digit, and not contain consecutive hyphens.",
  ],
  secretNameInvalid: [errors.secretNameInvalid('a_b'), 'BadParameter', 400, 'The request URI contains an invalid name: a_b. A secret name is 1 to 127 letters, digits and hyphens.'],
  masterKeyInvalid: [errors.masterKeyInvalid(), 'InvalidMasterKey', 400, 'The master key must be 32 bytes, given as 64 hex characters or in base64.'],
  secretDecryptionFailed: [
    errors.secretDecryptionFailed('s1'), 'SecretDecryptionFailed', 500,
    "The stored value of secret 's1' could not be decrypted: the server's master key is not the one it was stored with (check DPVAULT_MASTER_KEY or <data-dir>/master.key), or the stored bytes were altered.",
  ],
  argumentValueInvalid: [errors.argumentValueInvalid('m'), 'InvalidArgumentValueError', 400, 'm'],
  argumentUnrecognized: [errors.argumentUnrecognized('m'), 'UnrecognizedArgumentError', 400, 'm'],
  argumentRequired: [errors.argumentRequired('m'), 'RequiredArgumentMissingError', 400, 'm'],
  commandNotFound: [errors.commandNotFound('vualt', ' Hint.'), 'CommandNotFoundError', 400, "'vualt' is misspelled or not recognized by the system. Hint."],
  noTtyForPrompt: [errors.noTtyForPrompt(), 'NoTTYError', 400, 'Unable to prompt for confirmation as no tty available. Use --yes.'],
  waitTimedOut: [errors.waitTimedOut(30), 'CLIError', 400, 'Wait operation timed-out after 30 seconds'],
  serviceUnreachable: [
    errors.serviceUnreachable('http://h:1', 'ECONNREFUSED'), 'ServiceUnreachable', 503,
    "Cannot reach the dpvault service at http://h:1 (ECONNREFUSED). Start it with 'dpvault server', or point --endpoint or DPVAULT_ENDPOINT at it.",
  ],
  serviceHasNoSubscription: [errors.serviceHasNoSubscription(), 'SubscriptionNotFound', 500, 'The service has no subscription.'],
  operationEnded: [errors.operationEnded('Canceled', undefined), 'OperationFailed', 400, 'The operation ended Canceled.'],
  jobFailed: [errors.jobFailed('j1', undefined), 'JobFailed', 400, "Job 'j1' failed: the job reports no error detail."],
  resourceNotFound: [
    errors.resourceNotFound('Microsoft.KeyVault/vaults', 'kv', 'sub'), 'ResourceNotFound', 404,
    "The Resource 'Microsoft.KeyVault/vaults/kv' was not found within subscription 'sub'.",
  ],  restoreFilesRootNotSet: [
    errors.restoreFilesRootNotSet(), 'UserErrorRestoreTargetNotAllowed', 400,
    "This server allows no directory for restores as files: start it with --restore-files-root DIR (or DPVAULT_RESTORE_FILES_ROOT) naming the directories restores may write to.",
  ],
  restoreTargetOutsideRoots: [
    errors.restoreTargetOutsideRoots('/r/../etc', '/etc', ['/r']), 'UserErrorRestoreTargetNotAllowed', 400,
    "The target directory '/r/../etc' (resolved to '/etc') is not under a directory this server lets restores write to (--restore-files-root DIR (or DPVAULT_RESTORE_FILES_ROOT): /r). Choose a directory under one of them.",
  ],
  restoreTargetInDataDir: [
    errors.restoreTargetInDataDir('/d'), 'UserErrorRestoreTargetNotAllowed', 400,
    "The target directory '/d' lies inside the server's data directory, where a restore never writes. Choose a directory under --restore-files-root DIR (or DPVAULT_RESTORE_FILES_ROOT) outside it.",
  ],
  restoreTargetMoved: [
    errors.restoreTargetMoved('/r/x', '/etc'), 'UserErrorRestoreTargetNotAllowed', 400,
    "The target directory '/r/x' now resolves to '/etc', not where it was when the restore was accepted; nothing was written.",
  ],
  restoreContainerNotSet: [
    errors.restoreContainerNotSet(), 'UserErrorRestoreTargetNotAllowed', 400,
    'This server allows no container for restores as files: start it with --restore-files-container URL (or DPVAULT_RESTORE_FILES_CONTAINERS) naming the containers restores may write to.',
  ],
  restoreContainerNotAllowed: [
    errors.restoreContainerNotAllowed('https://a.blob.core.windows.net/c', ['azblob://r']), 'UserErrorRestoreTargetNotAllowed', 400,
    "The target container 'https://a.blob.core.windows.net/c' is not one this server lets restores write to (--restore-files-container URL (or DPVAULT_RESTORE_FILES_CONTAINERS): azblob://r). Choose one of them, or a path under its prefix.",
  ],
  restoreContainerUrlInvalid: [
    errors.restoreContainerUrlInvalid('s3://b', 'it has a fragment.'), 'UserErrorInvalidRequestParameter', 400,
    "The target container URL 's3://b' is not valid: it has a fragment.",
  ],
  restoreContainerNotAccessible: [
    errors.restoreContainerNotAccessible('s3://b', 'ECONNREFUSED.'), 'UserErrorContainerNotAccessible', 400,
    "The target container 's3://b' cannot be written to: ECONNREFUSED. Nothing was written.",
  ],
  restoreFileExists: [
    errors.restoreFileExists('/r/a.dump'), 'UserErrorFileAlreadyExists', 400,
    "The file '/r/a.dump' already exists. A restore never overwrites (FailIfExists): choose another --target-file-name.",
  ],
  insecureListenRefused: [
    errors.insecureListenRefused('0.0.0.0'), 'InsecureListenRefused', 400,
    "Refusing to listen on 0.0.0.0 without TLS: anyone who reaches it could read and change everything. Give --tls-cert FILE --tls-key FILE (or --tls-generate), or --insecure-http to serve plain HTTP on purpose.",
  ],
  tlsFileUnreadable: [
    errors.tlsFileUnreadable('key', '/k.pem', 'ENOENT'), 'InvalidArgumentValueError', 400,
    "The TLS key '/k.pem' cannot be used: ENOENT.",
  ],
  certificateUntrusted: [
    errors.certificateUntrusted('https://h:1', 'self-signed certificate', 'sha256:ab'), 'CertificateVerificationFailed', 503,
    "The certificate of https://h:1 could not be verified (self-signed certificate). Its SHA-256 fingerprint is sha256:ab. To trust it, give its CA with --ca-bundle FILE or REQUESTS_CA_BUNDLE, or pin the fingerprint the server printed at start with DPVAULT_TLS_FINGERPRINT=sha256:<hex> (compare it with the server's own, never with one read over the network).",
  ],
  fingerprintMismatch: [
    errors.fingerprintMismatch('https://h:1', 'sha256:aa', 'sha256:bb'), 'CertificateVerificationFailed', 503,
    "The certificate of https://h:1 has the SHA-256 fingerprint sha256:bb, not the pinned sha256:aa (DPVAULT_TLS_FINGERPRINT): the connection was refused. If the server's certificate was replaced, pin the fingerprint it prints at start.",
  ],
  fingerprintInvalid: [
    errors.fingerprintInvalid('x'), 'InvalidArgumentValueError', 400,
    "DPVAULT_TLS_FINGERPRINT: 'x' is not a SHA-256 fingerprint; give sha256: followed by 64 hex digits (colons allowed).",
  ],
  caBundleUnreadable: [
    errors.caBundleUnreadable('/ca.pem', 'ENOENT'), 'InvalidArgumentValueError', 400,
    "The CA bundle '/ca.pem' cannot be read: ENOENT.",
  ],
  authorizationFailed: [
    errors.authorizationFailed('app', 'oid', 'Microsoft.DataProtection/backupVaults/read', '/subscriptions/s'), 'AuthorizationFailed', 403,
    "The client 'app' with object id 'oid' does not have authorization to perform action 'Microsoft.DataProtection/backupVaults/read' over scope '/subscriptions/s' or the scope is invalid. If access was recently granted, please refresh your credentials.",
  ],
  keyVaultAccessDenied: [
    errors.keyVaultAccessDenied('app', 'oid', 'tid', 'get', 'kv1'), 'Forbidden', 403,
    "The user, group or application 'appid=app;oid=oid;iss=https://sts.windows.net/tid/' does not have secrets get permission on key vault 'kv1'. Grant it with 'dpvault keyvault set-policy -n kv1 --object-id oid --secret-permissions get'.",
  ],
  resourceGuardPermissionMissing: [
    errors.resourceGuardPermissionMissing('oid', 'op', 'do it', '/g', 'a/write'), 'UserErrorMissingRequiredPermissionsOnResourceGuard', 403,
    "The backup vault is protected by the resource guard '/g' (multi-user authorization): the critical operation 'op' (do it) needs the caller 'oid' to also hold a role allowing 'a/write' over the resource guard, such as Contributor there. Ask the resource guard's owner (the security administrator) for access, then try again.",
  ],
  resourceGuardInUse: [
    errors.resourceGuardInUse('/g', ['/v']), 'UserErrorResourceGuardInUse', 409,
    "The resource guard '/g' protects 1 backup vault(s) (/v); remove their resource guard mappings first.",
  ],
  resourceGuardProxyNameInvalid: [
    errors.resourceGuardProxyNameInvalid('x'), 'UserErrorInvalidResourceGuardProxyName', 400,
    "'x' is not a resource guard mapping name: a backup vault has one mapping, named 'DppResourceGuardProxy'.",
  ],
  resourceGuardMappingExists: [
    errors.resourceGuardMappingExists('/g'), 'UserErrorResourceGuardMappingExists', 409,
    "The backup vault is already mapped to the resource guard '/g'; remove that mapping (a critical operation) before mapping another guard.",
  ],
  roleAssignmentIdInvalid: [errors.roleAssignmentIdInvalid('x'), 'InvalidRoleAssignmentId', 400, "The role assignment ID 'x' is not valid. The role assignment ID must be a GUID."],
  roleAssignmentRequestInvalid: [errors.roleAssignmentRequestInvalid('m'), 'InvalidRoleAssignmentRequest', 400, 'm'],
  roleDefinitionNotFound: [
    errors.roleDefinitionNotFound('Nope'), 'RoleDefinitionDoesNotExist', 404, "The specified role definition 'Nope' does not exist. Run 'dpvault role definition list' for the roles.",
  ],
  principalNotFound: [
    errors.principalNotFound('p'), 'PrincipalNotFound', 400, "Principal p does not exist in the directory. Create one with 'dpvault ad sp create-for-rbac -n NAME'.",
  ],
  roleAssignmentExists: [errors.roleAssignmentExists(), 'RoleAssignmentExists', 409, 'The role assignment already exists.'],
  roleAssignmentNotFound: [errors.roleAssignmentNotFound('m'), 'RoleAssignmentNotFound', 404, 'm'],
  roleAssignmentScopeInvalid: [
    errors.roleAssignmentScopeInvalid('/x'), 'InvalidScope', 400,
    "The scope '/x' is not valid: use '/', '/subscriptions/{subscriptionId}', a resource group's id or a resource's id in this installation.",
  ],
  lastOwnerAssignment: [
    errors.lastOwnerAssignment(), 'LastOwnerAssignmentCannotBeDeleted', 409,
    "This is the last assignment of the Owner role at scope '/': deleting it would leave nobody able to grant access. Assign Owner at '/' to another principal first.",
  ],
  catalogUrlInvalid: [
    errors.catalogUrlInvalid('mysql://u:***@h/db'), 'InvalidArgumentValueError', 400,
    "--database (or DPVAULT_DATABASE): 'mysql://u:***@h/db' is not a PostgreSQL URL; give postgres://USER:PASSWORD@HOST:PORT/DATABASE.",
  ],
  catalogUnreachable: [
    errors.catalogUnreachable('postgres://u:***@h/db', 'connect ECONNREFUSED'), 'CatalogUnreachable', 503,
    "The catalog database given by --database (or DPVAULT_DATABASE) at 'postgres://u:***@h/db' cannot be used: connect ECONNREFUSED. Check the host, port, database, user and password, and that the server accepts connections from here.",
  ],
  catalogSchemaNewer: [
    errors.catalogSchemaNewer(3, 2), 'CatalogSchemaNewer', 409,
    "The catalog's schema is at version 3, newer than this dpvault knows (2): a newer dpvault migrated it. Start this server with that version (or newer); an older one would misread the catalog.",
  ],
  masterKeyMismatch: [
    errors.masterKeyMismatch(), 'MasterKeyMismatch', 409,
    "This process's master key is not the one the catalog was created with: every server and worker on one catalog must share the master key (DPVAULT_MASTER_KEY, or the same <data-dir>/master.key). Start it with that key.",
  ],
  workerWithoutDatabase: [
    errors.workerWithoutDatabase(), 'InvalidArgumentValueError', 400,
    'dpvault worker runs the jobs of servers that share a PostgreSQL catalog: give --database (or DPVAULT_DATABASE) (postgres://USER:PASSWORD@HOST:PORT/DATABASE). An embedded installation (no --database) runs its jobs in dpvault server itself, so a worker of its own would find no work.',
  ],
  localStorageNotShared: [
    errors.localStorageNotShared('--storage', '/srv/backups'), 'LocalStorageNotShared', 400,
    "--storage keeps backup data on this machine's filesystem ('/srv/backups'), but servers and workers on one catalog (--database (or DPVAULT_DATABASE)) may run on other machines and would not see it. Use object storage (azblob:// or s3://), or add --shared-filesystem to every server and worker if each one sees this same directory (a network filesystem mounted at the same path).",
  ],
  catalogMigrateSourceMissing: [
    errors.catalogMigrateSourceMissing('/d'), 'InvalidArgumentValueError', 400,
    "--from: '/d' holds no embedded catalog (catalog.sqlite); give the data directory of a stopped dpvault server.",
  ],
  masterKeyMissing: [
    errors.masterKeyMissing('/d'), 'InvalidArgumentValueError', 400,
    "--from: '/d' has no master.key and DPVAULT_MASTER_KEY is not set: give the master key the server ran with (it sealed the catalog's secrets).",
  ],
  catalogMigrateTargetNotEmpty: [
    errors.catalogMigrateTargetNotEmpty('postgres://u:***@h/db', 2), 'CatalogNotEmpty', 409,
    "--to: the catalog at 'postgres://u:***@h/db' already holds 2 row(s); a migration only fills an empty catalog, so nothing was copied. Give a new database.",
  ],
  catalogMigrateMismatch: [
    errors.catalogMigrateMismatch('resources', 'count 1, not 2'), 'CatalogMigrationMismatch', 500,
    "The copy of table resources does not match its source (count 1, not 2); the transaction was rolled back and the target is empty again.",
  ],
};

for (const [name, [err, code, status, message]] of Object.entries(PINNED)) {
  test(`errors.${name}: ${code}, HTTP ${status}`, () => {
    assert.ok(err instanceof DpError);
    assert.deepEqual({ code: err.code, status: err.status, message: err.message }, { code, status, message });
  });
}

test('the usage errors of the command line are kind usage (exit 2), the rest are not', () => {
  const usage = Object.entries(PINNED).filter(([, [e]]) => e.kind === 'usage').map(([n]) => n).sort();
  assert.deepEqual(usage, [
    'argumentRequired', 'argumentUnrecognized', 'argumentValueInvalid', 'caBundleUnreadable', 'catalogMigrateSourceMissing', 'catalogUrlInvalid', 'commandNotFound',
    'fingerprintInvalid', 'insecureListenRefused', 'localStorageNotShared', 'masterKeyMissing', 'tlsFileUnreadable', 'workerWithoutDatabase',
  ]);
});

test('errors a service passes on keep its code and message; storage space and a key vault field reach the CloudError', () => {
  const op = errors.operationEnded('Failed', { code: 'UserErrorDBNotFound', message: 'gone' });
  assert.deepEqual([op.code, op.message], ['UserErrorDBNotFound', 'gone']);
  const job = errors.jobFailed('j1', { code: 'BackupToolFailed', message: 'pg_dump exited' });
  assert.deepEqual([job.code, job.message], ['BackupToolFailed', "Job 'j1' failed: pg_dump exited"]);
  assert.deepEqual(errors.storageFull('full', space).toCloudError().error.additionalInfo, [{ type: 'StorageSpace', info: { freeBytes: 10, neededBytes: null } }]);
  assert.equal(errors.keyVaultValueInvalid('properties.x', 1).target, 'properties.x');
  assert.equal(errors.repositoryKeyMismatch().message, 'The master key does not open this repository.');
  assert.equal(errors.storageFailure('write', 'x', 'EMFILE', true).status, 503);
});

test("the service's constructors keep the target a throw site gives, and the already-protected error its UserFacingError", () => {
  assert.equal(errors.requestParameterInvalid('m', 'properties').target, 'properties');
  assert.equal(errors.requestParameterInvalid('m').target, null);
  assert.equal(errors.locationRequired('location').target, 'location');
  assert.equal(errors.softDeleteAlwaysOn('On', 'properties.securitySettings.softDeleteSettings.state').target, 'properties.securitySettings.softDeleteSettings.state');
  const part = errors.policyPartRejected(errors.durationInvalid('bad', 'duration'), 'policyRules[1].lifecycles[0]');
  assert.deepEqual([part.code, part.message, part.target, part.status], ['InvalidDuration', 'bad', 'policyRules[1].lifecycles[0]', 400]);
  const rejected = errors.policyRejected(POLICY_CODES.duplicateName, 'm', 'policyRules[2].name');
  assert.deepEqual([rejected.code, rejected.target], ['UserErrorDuplicateRuleName', 'policyRules[2].name']);
  assert.deepEqual(errors.datasourceAlreadyProtected('/v/1', 'bi1').toCloudError().error.additionalInfo, [
    {
      type: 'UserFacingError',
      info: {
        code: 'UserErrorDppDatasourceAlreadyProtected',
        message: 'Datasource is already protected under the Backup vault /v/1.',
        recommendedAction: ['Delete the backup instance bi1 from the Backup vault /v/1 to re-protect the datasource in any other vault.'],
        isRetryable: false,
        isUserError: true,
      },
    },
  ]);
});
