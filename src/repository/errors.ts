// The repository's error constructors, so every layer above sees the same codes and messages.
// Messages name the damaged object (pack, index file, recovery point) but never a key.
import { DpError } from '../domain/errors.ts';

/** Data read back does not authenticate or does not match what the repository recorded. */
export function corrupt(message: string): DpError {
  return new DpError('internal', 'RepositoryDataCorrupt', message);
}

export function wrongMasterKey(): DpError {
  return new DpError('forbidden', 'RepositoryKeyMismatch', 'The master key does not open this repository.');
}

export function invalidMasterKey(): DpError {
  return new DpError('invalid', 'InvalidRepositoryKey', 'A repository master key must be exactly 32 bytes.');
}

export function manifestNotFound(id: string): DpError {
  return new DpError('notFound', 'RepositoryManifestNotFound', `The repository holds no recovery point manifest '${id}'.`);
}

export function notARepository(where: string): DpError {
  return new DpError('notFound', 'RepositoryNotFound', `No dpvault repository exists at ${where}.`);
}

export function alreadyARepository(where: string): DpError {
  return new DpError('conflict', 'RepositoryAlreadyExists', `A dpvault repository already exists at ${where}.`);
}

export function invalidOption(message: string): DpError {
  return new DpError('invalid', 'InvalidRepositoryOption', message);
}
