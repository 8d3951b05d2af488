// Errors of the PostgreSQL source: Azure's codes where Azure has one. Messages are composed (and
// scrubbed of passwords) by src/sources/postgres/, which knows the server and the tool.
import { DpError, type ErrorKind } from './dp-error.ts';

export const AUTH_FAILED = 'UserErrorDBUserAuthFailed';
export const DB_NOT_FOUND = 'UserErrorDBNotFound';
export const MISSING_PERMISSIONS = 'UserErrorMissingDBPermissions';
export const CONNECTION_CLOSED = 'UserErrorServerConnectionClosed';
/** Not an Azure code: Azure folds this into UserErrorDBNotFound ("database or server missing"). */
export const SERVER_UNREACHABLE = 'UserErrorDBServerUnreachable';
export const DB_NAME_IN_USE = 'UserErrorDatabaseNameAlreadyInUse';
export const DUMP_FAILED = 'BackupToolFailed';
export const RESTORE_FAILED = 'RestoreToolFailed';
export const TOOL_NOT_FOUND = 'UserErrorBackupToolNotFound';
export const SECRET_VALUE_UNSUPPORTED_FORMAT = 'UserErrorSecretValueInUnsupportedFormat';
export const INVALID_REQUEST_PARAMETER = 'UserErrorInvalidRequestParameter';

/** The kind of a DpError with one of these codes: retryable network trouble, a user's error, or ours. */
export function kindForCode(code: string): ErrorKind {
  if (code === CONNECTION_CLOSED || code === SERVER_UNREACHABLE) return 'unavailable';
  if (code.startsWith('UserError')) return 'invalid';
  return 'internal';
}

export const postgresErrors = {
  postgresAuthFailed: (message: string): DpError => new DpError('invalid', AUTH_FAILED, message),
  postgresDatabaseNotFound: (message: string): DpError => new DpError('invalid', DB_NOT_FOUND, message),
  postgresPermissionMissing: (message: string): DpError => new DpError('invalid', MISSING_PERMISSIONS, message),
  /** The server closed or refused the session for now: a retry may succeed. */
  postgresConnectionClosed: (message: string): DpError => new DpError('unavailable', CONNECTION_CLOSED, message),
  /** Nothing answers at the address: a retry may succeed. */
  postgresServerUnreachable: (message: string): DpError => new DpError('unavailable', SERVER_UNREACHABLE, message),
  /** The server answers but TLS cannot be agreed: retrying does not help. */
  postgresTlsRefused: (message: string): DpError => new DpError('invalid', SERVER_UNREACHABLE, message),
  /** Any other error the `pg` client reports. */
  postgresError: (message: string): DpError => new DpError('internal', 'InternalError', message),

  databaseNameInUse: (message: string): DpError => new DpError('invalid', DB_NAME_IN_USE, message),
  databaseNameLength: (): DpError => new DpError('invalid', INVALID_REQUEST_PARAMETER, 'A database name must be 1 to 63 bytes long.'),
  connectionStringInvalid: (message: string): DpError => new DpError('invalid', SECRET_VALUE_UNSUPPORTED_FORMAT, message),

  backupToolNotFound: (message: string): DpError => new DpError('invalid', TOOL_NOT_FOUND, message),
  /** pg_dump or pg_restore could not be started at all; `code` is the tool's failure code. */
  toolNotStarted: (code: string, message: string): DpError => new DpError('internal', code, message),
  /** pg_dump or pg_restore failed; `code` is what its stderr says (one of the codes above). */
  toolFailed: (code: string, message: string): DpError => new DpError(kindForCode(code), code, message),
  dumpFailed: (message: string): DpError => new DpError('internal', DUMP_FAILED, message),
  restoreFailed: (message: string): DpError => new DpError(kindForCode(RESTORE_FAILED), RESTORE_FAILED, message),
};
