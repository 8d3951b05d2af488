// Repository errors, so every layer above sees the same codes and messages. Messages name the
// damaged object (pack, index file, recovery point) but never a key.
import { DpError } from './dp-error.ts';

export const REPOSITORY_DATA_CORRUPT = 'RepositoryDataCorrupt';
export const REPOSITORY_NOT_FOUND = 'RepositoryNotFound';
export const REPOSITORY_MANIFEST_NOT_FOUND = 'RepositoryManifestNotFound';
export const REPOSITORY_KEY_MISMATCH = 'RepositoryKeyMismatch';
export const BACKUP_REUSED_DAMAGED_DATA = 'UserErrorBackupReusedDamagedData';
/** Another process holds a lock on the repository that this operation's lock conflicts with (repository/locks.ts). */
export const REPOSITORY_LOCKED = 'RepositoryLocked';

export const repositoryErrors = {
  /** Data read back does not authenticate or does not match what the repository recorded. */
  repositoryDataCorrupt: (message: string): DpError => new DpError('internal', REPOSITORY_DATA_CORRUPT, message),

  /** No copy of the config opened; `damaged` lists each copy and its problem. */
  repositoryConfigDamaged: (where: string, damaged: { name: string; problem: string }[]): DpError =>
    new DpError(
      'internal',
      REPOSITORY_DATA_CORRUPT,
      `Every copy of the repository config at ${where} is damaged: ${damaged.map((d) => `${d.name}: ${d.problem}`).join('; ')}.`,
    ),

  /** The master key opens no config copy; `otherCopyDamaged` when one copy failed for another reason. */
  repositoryKeyMismatch: (otherCopyDamaged = false): DpError =>
    new DpError(
      'forbidden',
      REPOSITORY_KEY_MISMATCH,
      `The master key does not open this repository${otherCopyDamaged ? ', and its other config copy is damaged' : ''}.`,
    ),

  repositoryKeyInvalid: (): DpError => new DpError('invalid', 'InvalidRepositoryKey', 'A repository master key must be exactly 32 bytes.'),

  repositoryManifestNotFound: (id: string): DpError =>
    new DpError('notFound', REPOSITORY_MANIFEST_NOT_FOUND, `The repository holds no recovery point manifest '${id}'.`),

  repositoryNotFound: (where: string): DpError => new DpError('notFound', REPOSITORY_NOT_FOUND, `No dpvault repository exists at ${where}.`),

  repositoryAlreadyExists: (where: string): DpError =>
    new DpError('conflict', 'RepositoryAlreadyExists', `A dpvault repository already exists at ${where}.`),

  repositoryOptionInvalid: (message: string): DpError => new DpError('invalid', 'InvalidRepositoryOption', message),

  /** `what` wanted a `kind` lock; `holders` describes each conflicting live lock (holder, host, pid, times). */
  repositoryLocked: (what: string, kind: string, holders: string, waitedSeconds: number): DpError =>
    new DpError(
      'conflict',
      REPOSITORY_LOCKED,
      `The repository is locked: ${what} needs ${kind === 'exclusive' ? 'an' : 'a'} ${kind} lock, but ${holders} ${waitedSeconds > 0 ? `still held it after ${waitedSeconds} s of waiting` : 'holds it'}. It runs again once that lock is released (or expires, if its holder died).`,
    ),

  repositoryGcRunning: (): DpError =>
    new DpError('conflict', 'RepositoryGcRunning', 'Garbage collection is already running on this repository.'),

  /** A backup reused chunks later found damaged in this run; `packs` names each pack and its problem. */
  backupReusedDamagedData: (lost: number, packs: string): DpError =>
    new DpError(
      'internal',
      BACKUP_REUSED_DAMAGED_DATA,
      `The backup reused ${lost} chunk(s) of stored data found damaged during the run (${packs}); it was not kept. ` +
        'Those packs are quarantined: run the backup again and it stores that data anew.',
    ),
};
