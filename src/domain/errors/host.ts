// Errors of the service's host: its data directory, master key rotation and listening address.
import { DpError } from './dp-error.ts';
import { REPOSITORY_KEY_MISMATCH } from './repository.ts';

export const hostErrors = {
  dataDirInUse: (dataDir: string, pid: number): DpError =>
    new DpError('conflict', 'DataDirectoryInUse', `The data directory '${dataDir}' is in use by the dpvault server with pid ${pid}; stop it first.`),
  dataDirNotPrivate: (path: string, problem: string): DpError =>
    new DpError(
      'forbidden',
      'DataDirectoryNotPrivate',
      `'${path}' in the data directory must be readable only by the service's user, but ${problem}. Make the service's user its owner (chown), or start the service as its owner.`,
    ),
  dataDirNotFound: (dataDir: string): DpError =>
    new DpError('notFound', 'DataDirectoryNotFound', `'${dataDir}' is not a dpvault data directory (it has no catalog): nothing to rotate.`),
  listenAccessDenied: (address: string): DpError =>
    new DpError('unavailable', 'AddressAccessDenied', `Cannot listen on ${address}: permission denied (EACCES). Choose a port above 1023.`),
  listenAddressInUse: (address: string): DpError =>
    new DpError(
      'unavailable',
      'AddressInUse',
      `Cannot listen on ${address}: the address is already in use (EADDRINUSE). Stop what is listening there, or give another --port or --host.`,
    ),
  listenAddressNotAvailable: (address: string, code: string): DpError =>
    new DpError('unavailable', 'AddressNotAvailable', `Cannot listen on ${address}: no network interface has this address (${code}). Check --host.`),
  listenFailed: (address: string, code: string | undefined, message: string): DpError =>
    new DpError('unavailable', 'ListenFailed', `Cannot listen on ${address}: ${code ?? ''} ${message}`.replace(/\s+/g, ' ')),
  masterKeyNotFound: (keyFile: string): DpError => new DpError('notFound', 'MasterKeyNotFound', `There is no master key in '${keyFile}': nothing to rotate.`),
  masterKeyRotationInterrupted: (dataDir: string): DpError =>
    new DpError(
      'conflict',
      'MasterKeyRotationInterrupted',
      `A master key rotation of '${dataDir}' did not finish; run 'dpvault server rotate-master-key' again to complete it before starting the server.`,
    ),
  newMasterKeyRequired: (): DpError => new DpError('invalid', 'NewMasterKeyRequired', 'The master key comes from DPVAULT_MASTER_KEY: give the new one in DPVAULT_NEW_MASTER_KEY (64 hex characters or base64 of 32 bytes).'),
  noMasterKeyOpensRepository: (location: string): DpError =>
    new DpError('forbidden', REPOSITORY_KEY_MISMATCH, `Neither the current nor the new master key opens the repository in '${location}'.`),
  sameMasterKey: (): DpError => new DpError('invalid', 'SameMasterKey', 'The new master key is the current one.'),
};
