// Errors of the key vaults and secrets dpvault serves (Microsoft.KeyVault's codes), and of a backup
// vault's use of them as a secret store.
import { DpError } from './dp-error.ts';

export const keyVaultErrors = {
  keyVaultNameTaken: (message: string): DpError => new DpError('conflict', 'VaultAlreadyExists', message),
  keyVaultRequestInvalid: (message: string, target?: string): DpError => new DpError('invalid', 'BadRequest', message, { target: target ?? null }),
  secretInvalid: (message: string): DpError => new DpError('invalid', 'UserErrorInvalidSecret', message),
  secretNotFound: (message: string): DpError => new DpError('notFound', 'SecretNotFound', message),
  secretParameterInvalid: (message: string, target?: string): DpError => new DpError('invalid', 'BadParameter', message, { target: target ?? null }),
  secretStoreInvalid: (message: string): DpError => new DpError('invalid', 'UserErrorInvalidSecretStore', message),
  secretStorePermissionMissing: (message: string): DpError => new DpError('invalid', 'UserErrorMissingPermissionsOnSecretStore', message),
};
