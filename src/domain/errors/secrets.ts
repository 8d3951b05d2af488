// Errors of the key vault and of sealed secrets: Azure Key Vault's codes for its API, ours for
// the master key. No message ever holds a secret's value or a key.
import { DpError } from './dp-error.ts';

export const secretErrors = {
  /** A request field of a key vault call holds a value Key Vault would refuse (its code: BadRequest). */
  keyVaultValueInvalid: (path: string, value: unknown, hint = ''): DpError =>
    new DpError('invalid', 'BadRequest', `Invalid value found at ${path}: ${typeof value === 'string' ? value : JSON.stringify(value)}.${hint}`, {
      target: path,
    }),

  keyVaultNameInvalid: (name: string): DpError =>
    new DpError(
      'invalid',
      'VaultNameNotValid',
      `The vault name '${name}' is invalid. A vault's name must be between 3-24 alphanumeric characters. ` +
        'The name must begin with a letter, end with a letter or digit, and not contain consecutive hyphens.',
    ),

  secretNameInvalid: (name: string): DpError =>
    new DpError('invalid', 'BadParameter', `The request URI contains an invalid name: ${name}. A secret name is 1 to 127 letters, digits and hyphens.`),

  masterKeyInvalid: (): DpError =>
    new DpError('invalid', 'InvalidMasterKey', 'The master key must be 32 bytes, given as 64 hex characters or in base64.'),

  secretDecryptionFailed: (secretId: string): DpError =>
    new DpError(
      'internal',
      'SecretDecryptionFailed',
      `The stored value of secret '${secretId}' could not be decrypted: the server's master key is not the one it was stored with ` +
        '(check DPVAULT_MASTER_KEY or <data-dir>/master.key), or the stored bytes were altered.',
    ),
};
