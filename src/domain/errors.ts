// The catalog of dpvault's errors. `DpError` (errors/dp-error.ts) is the one error type from the
// bottom of the stack to the top; `errors` holds a constructor per condition, each fixing its kind
// (and so its HTTP status) and its code: Azure's code where Azure has one, else a dpvault code
// named the same way. Throw sites call `errors.<condition>(...)`; no code is a string literal
// anywhere else (scripts/check-error-codes.js keeps it so). The constructors live by area in
// errors/*.ts; the codes callers compare against are exported here too.
import { apiErrors } from './errors/api.ts';
import { authorizationErrors } from './errors/authorization.ts';
import { catalogErrors } from './errors/catalog.ts';
import { cliErrors } from './errors/cli.ts';
import { geoErrors } from './errors/geo.ts';
import { hostErrors } from './errors/host.ts';
import { identityErrors } from './errors/identity.ts';
import { instanceErrors } from './errors/instances.ts';
import { jobErrors } from './errors/jobs.ts';
import { keyVaultErrors } from './errors/key-vaults.ts';
import { policyErrors } from './errors/policies.ts';
import { postgresErrors } from './errors/postgres.ts';
import { repositoryErrors } from './errors/repository.ts';
import { requestErrors } from './errors/requests.ts';
import { resourceErrors } from './errors/resources.ts';
import { restoreErrors } from './errors/restores.ts';
import { secretErrors } from './errors/secrets.ts';
import { serverErrors } from './errors/server.ts';
import { storageErrors } from './errors/storage.ts';

export * from './errors/dp-error.ts';
export { RESTORE_FILE_EXISTS } from './errors/server.ts';
export { GEO_COPY_MISMATCH } from './errors/geo.ts';
export { POLICY_CODES, type PolicyCode } from './errors/policies.ts';
export {
  STORAGE_CREDENTIALS_MISSING, STORAGE_FAILURE, STORAGE_FULL, STORAGE_INVALID_NAME, STORAGE_INVALID_RANGE, STORAGE_LOCATION_INVALID,
  STORAGE_NOT_FOUND, STORAGE_OBJECT_ARCHIVED,
} from './errors/storage.ts';
export {
  BACKUP_REUSED_DAMAGED_DATA, REPOSITORY_DATA_CORRUPT, REPOSITORY_KEY_MISMATCH, REPOSITORY_LOCKED, REPOSITORY_MANIFEST_NOT_FOUND, REPOSITORY_NOT_FOUND,
} from './errors/repository.ts';
export { BACKUP_DATA_DAMAGED, BACKUP_DATA_NOT_REPAIRABLE, JOB_FAILED, RECOVERY_POINT_DATA_CORRUPT, RECOVERY_POINT_DATA_MISSING } from './errors/jobs.ts';
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
  ...apiErrors,
  ...requestErrors,
  ...resourceErrors,
  ...keyVaultErrors,
  ...instanceErrors,
  ...restoreErrors,
  ...policyErrors,
  ...jobErrors,
  ...hostErrors,
  ...serverErrors,
  ...identityErrors,
  ...authorizationErrors,
  ...catalogErrors,
  ...geoErrors,
} as const;
