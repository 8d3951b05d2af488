// Storage errors: the codes every backend returns, so callers above test a code, never a backend.
import { DpError } from './dp-error.ts';

export const STORAGE_NOT_FOUND = 'StorageObjectNotFound';
export const STORAGE_INVALID_RANGE = 'StorageInvalidRange';
export const STORAGE_INVALID_NAME = 'StorageInvalidName';
export const STORAGE_FAILURE = 'StorageFailure';
/** The backend has no room left (a full disk, a quota reached); code the jobs report as is. */
export const STORAGE_FULL = 'UserErrorStorageFull';
export const STORAGE_LOCATION_INVALID = 'InvalidStorageLocation';
/** The object sits in an archive tier and must be rehydrated before it can be read. */
export const STORAGE_OBJECT_ARCHIVED = 'StorageObjectArchived';
/** The server's storage setting (`--storage`, DPVAULT_STORAGE) names a storage it cannot use. */
export const STORAGE_SETTING_INVALID = 'InvalidStorageSetting';
/** The storage setting differs from the one the data directory's vaults were created with. */
export const STORAGE_SETTING_CHANGED = 'StorageSettingChanged';
/** An object store's credentials are not in its SDK's standard environment variables. */
export const STORAGE_CREDENTIALS_MISSING = 'StorageCredentialsMissing';

export interface StorageSpace {
  freeBytes: number | null;
  neededBytes: number | null;
}

export const storageErrors = {
  /** The one not-found error every backend returns. */
  storageObjectNotFound: (name: string): DpError =>
    new DpError('notFound', STORAGE_NOT_FOUND, `The storage object '${name}' does not exist.`),

  /** Any other storage failure; `transient` ones (a retry may cure them) are kind `unavailable`. */
  storageFailure: (op: string, name: string, detail: string, transient: boolean): DpError =>
    new DpError(transient ? 'unavailable' : 'internal', STORAGE_FAILURE, `Storage ${op} of '${name}' failed: ${detail}`),

  /** The backend is out of space; `message` says what did not fit, `space` goes into additionalInfo. */
  storageFull: (message: string, space: StorageSpace): DpError =>
    new DpError('conflict', STORAGE_FULL, message, {
      additionalInfo: [{ type: 'StorageSpace', info: { freeBytes: space.freeBytes, neededBytes: space.neededBytes } }],
    }),

  storageInvalidName: (name: string): DpError =>
    new DpError('invalid', STORAGE_INVALID_NAME, `'${name}' is not a valid storage object name.`),

  storageInvalidRange: (name: string, size: number, offset: number, length: number | undefined): DpError =>
    new DpError('invalid', STORAGE_INVALID_RANGE, `The range ${offset}+${length ?? '*'} does not lie inside '${name}' (${size} bytes).`),

  /** A vault or datastore name that cannot be a segment of a storage location (an internal fault: names are checked long before). */
  storageSegmentInvalid: (what: string, value: string): DpError =>
    new DpError('internal', STORAGE_LOCATION_INVALID, `'${value}' cannot name a ${what} in storage.`),

  storageLocationNotUnderstood: (location: string): DpError =>
    new DpError('invalid', STORAGE_LOCATION_INVALID, `'${location}' is neither an absolute path nor a storage URL.`),

  storageSchemeUnknown: (scheme: string, known: string): DpError =>
    new DpError('invalid', STORAGE_LOCATION_INVALID, `No storage backend handles '${scheme}:' locations (known: ${known}).`),

  /** A storage URL of a known scheme that is wrong in itself; `location` must already be free of secrets. */
  storageUrlInvalid: (location: string, problem: string): DpError =>
    new DpError('invalid', STORAGE_LOCATION_INVALID, `The storage location '${location}' is not valid: ${problem}`),

  storageObjectArchived: (name: string): DpError =>
    new DpError('conflict', STORAGE_OBJECT_ARCHIVED, `The storage object '${name}' is in the archive tier; rehydrate it before reading it.`),

  /** `problem` must already be free of secrets (object-errors.ts `redact`). */
  storageSettingRefused: (setting: string, problem: string): DpError =>
    new DpError('invalid', STORAGE_SETTING_INVALID, `The storage given by ${setting} cannot be used: ${problem}`),

  storageSettingChanged: (setting: string, recorded: string, given: string): DpError =>
    new DpError(
      'conflict',
      STORAGE_SETTING_CHANGED,
      `This data directory's vaults keep their backup data in '${recorded}', but ${setting} now says '${given}'. Start the server with the storage its vaults were created with; moving backup data to another storage is not supported yet.`,
    ),

  storageCredentialsMissing: (location: string, variables: string): DpError =>
    new DpError('invalid', STORAGE_CREDENTIALS_MISSING, `No credentials for the storage '${location}': set ${variables}.`),
};
