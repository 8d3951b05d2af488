// The catalog of dpvault's errors. `DpError` (errors/dp-error.ts) is the one error type from the
// bottom of the stack to the top; `errors` holds a constructor per condition, each fixing its kind
// (and so its HTTP status) and its code: Azure's code where Azure has one, else a dpvault code
// named the same way. Throw sites call `errors.<condition>(...)`; no code is a string literal
// anywhere else (scripts/check-error-codes.js keeps it so). The constructors live by area in
// errors/*.ts; the codes callers compare against are exported here too.
import { cliErrors } from './errors/cli.ts';
import { postgresErrors } from './errors/postgres.ts';
import { repositoryErrors } from './errors/repository.ts';
import { secretErrors } from './errors/secrets.ts';
import { storageErrors } from './errors/storage.ts';

export * from './errors/dp-error.ts';
export {
  STORAGE_CREDENTIALS_MISSING, STORAGE_FAILURE, STORAGE_FULL, STORAGE_INVALID_NAME, STORAGE_INVALID_RANGE, STORAGE_LOCATION_INVALID,
  STORAGE_NOT_FOUND, STORAGE_OBJECT_ARCHIVED,
} from './errors/storage.ts';
export { REPOSITORY_DATA_CORRUPT } from './errors/repository.ts';
export {
  AUTH_FAILED, CONNECTION_CLOSED, DB_NAME_IN_USE, DB_NOT_FOUND, DUMP_FAILED, INVALID_REQUEST_PARAMETER, kindForCode, MISSING_PERMISSIONS,
  RESTORE_FAILED, SECRET_VALUE_UNSUPPORTED_FORMAT, SERVER_UNREACHABLE, TOOL_NOT_FOUND,
} from './errors/postgres.ts';

export const errors = {
  ...storageErrors,
  ...repositoryErrors,
  ...postgresErrors,
  ...secretErrors,
  ...cliErrors,
} as const;
