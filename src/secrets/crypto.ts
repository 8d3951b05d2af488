// Encryption at rest of key vault secret values: AES-256-GCM under the server's master key, a
// random 96-bit nonce per value, and associated data naming the secret version, so a sealed value
// copied onto another secret (or version) does not open. The stored form is text:
// `v1.` + base64(nonce | ciphertext | tag). The AEAD primitive is the repository's (one
// implementation of AES-GCM in the code base); this module adds the string form and the errors.
import { errors } from '../domain/errors.ts';
import { checkMasterKey, seal, unseal } from '../repository/crypto.ts';

const PREFIX = 'v1.';

const aadFor = (secretId: string): Buffer => Buffer.from(`dpvault-secret-v1:${secretId.toLowerCase()}`);

/** Seals `plaintext` under `masterKey`, bound to `secretId` (the secret version's id). */
export function sealSecret(masterKey: Buffer, plaintext: string, secretId: string): string {
  checkMasterKey(masterKey);
  return PREFIX + seal(masterKey, [Buffer.from(plaintext, 'utf8')], aadFor(secretId)).toString('base64');
}

/**
 * Opens what sealSecret produced for the same `secretId`. A value that does not authenticate
 * (another master key, altered bytes, a value moved from another secret) is an internal error
 * that names the secret but, of course, never any part of the value.
 */
export function openSecret(masterKey: Buffer, sealed: string, secretId: string): string {
  checkMasterKey(masterKey);
  const plain = sealed.startsWith(PREFIX) ? unseal(masterKey, Buffer.from(sealed.slice(PREFIX.length), 'base64'), aadFor(secretId)) : null;
  if (!plain) {
    throw errors.secretDecryptionFailed(secretId);
  }
  return plain.toString('utf8');
}
