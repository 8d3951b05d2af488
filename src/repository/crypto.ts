// The repository's cryptography, in one place: AES-256-GCM sealing of every stored object (a
// random 96-bit nonce per object, the tag checked on every read), keyed chunk ids
// (HMAC-SHA256 under the id key, so ids say nothing about content), wrapping of the repository
// keys under the caller's master key, and the keyed gear table of the chunker.
// Small objects are sealed and hashed by the ten thousand in a backup, so the per-call costs are
// kept down: key objects are made once per key Buffer, and nonces are cut from a random pool.
import { createCipheriv, createDecipheriv, createHmac, createSecretKey, randomBytes, randomFillSync } from 'node:crypto';
import type { Hmac, KeyObject } from 'node:crypto';
import { errors } from '../domain/errors.ts';

export const NONCE_BYTES = 12;
export const TAG_BYTES = 16;
/** Bytes a sealed object has beyond its plaintext. */
export const SEAL_OVERHEAD = NONCE_BYTES + TAG_BYTES;
export const KEY_BYTES = 32;
export const ID_BYTES = 32;

/** The two secrets of a repository, stored only wrapped by the master key. */
export interface RepositoryKeys {
  /** Encrypts every stored object. */
  dataKey: Buffer;
  /** Keys chunk ids and the chunker's gear table. */
  idKey: Buffer;
}

export function checkMasterKey(key: Buffer): void {
  if (!Buffer.isBuffer(key) || key.length !== KEY_BYTES) throw errors.repositoryKeyInvalid();
}

const keyObjects = new WeakMap<Buffer, KeyObject>();

/**
 * The KeyObject of a key Buffer, made once: creating one per call costs more than sealing a small
 * chunk. Keys are never modified after they are made, so the cache cannot go stale.
 */
function keyObject(key: Buffer): KeyObject {
  let ko = keyObjects.get(key);
  if (!ko) {
    ko = createSecretKey(key);
    keyObjects.set(key, ko);
  }
  return ko;
}

/** Random bytes drawn from the CSPRNG in blocks; each nonce is cut from unused bytes only. */
const noncePool = Buffer.alloc(NONCE_BYTES * 1024);
let noncesLeft = 0;

function freshNonce(): Buffer {
  if (noncesLeft === 0) {
    randomFillSync(noncePool);
    noncesLeft = noncePool.length / NONCE_BYTES;
  }
  noncesLeft--;
  return Buffer.from(noncePool.subarray(noncesLeft * NONCE_BYTES, (noncesLeft + 1) * NONCE_BYTES));
}

/** `nonce | ciphertext | tag` of the concatenation of `parts`, authenticated together with `aad`. */
export function seal(key: Buffer, parts: readonly Buffer[], aad: Buffer): Buffer {
  return Buffer.concat(sealPieces(key, parts, aad));
}

/** The pieces of `seal`'s result, in order, for a caller that copies them into a buffer of its own. */
export function sealPieces(key: Buffer, parts: readonly Buffer[], aad: Buffer): Buffer[] {
  const nonce = freshNonce();
  const cipher = createCipheriv('aes-256-gcm', keyObject(key), nonce);
  cipher.setAAD(aad);
  const out: Buffer[] = [nonce];
  for (const p of parts) out.push(cipher.update(p));
  out.push(cipher.final(), cipher.getAuthTag());
  return out;
}

/** The plaintext of a sealed object, or null when it does not authenticate (wrong key, damage). */
export function unseal(key: Buffer, sealed: Buffer, aad: Buffer): Buffer | null {
  if (sealed.length < SEAL_OVERHEAD) return null;
  try {
    const decipher = createDecipheriv('aes-256-gcm', keyObject(key), sealed.subarray(0, NONCE_BYTES));
    decipher.setAAD(aad);
    decipher.setAuthTag(sealed.subarray(sealed.length - TAG_BYTES));
    const body = decipher.update(sealed.subarray(NONCE_BYTES, sealed.length - TAG_BYTES));
    const tail = decipher.final();
    return tail.length ? Buffer.concat([body, tail]) : body;
  } catch {
    return null;
  }
}

function idHmac(idKey: Buffer, data: Buffer | readonly Buffer[]): Hmac {
  const hmac = createHmac('sha256', keyObject(idKey));
  if (Buffer.isBuffer(data)) hmac.update(data);
  else for (const piece of data) hmac.update(piece);
  return hmac;
}

/** The id of a chunk: HMAC-SHA256(idKey, data); `data` may be given in pieces. */
export function chunkId(idKey: Buffer, data: Buffer | readonly Buffer[]): Buffer {
  return idHmac(idKey, data).digest();
}

/**
 * `chunkId` as 64 hex characters. A backup takes a chunk's id this way: a digest Buffer is an
 * ArrayBuffer of its own to allocate and later sweep, once per chunk.
 */
export function chunkIdHex(idKey: Buffer, data: Buffer | readonly Buffer[]): string {
  return idHmac(idKey, data).digest('hex');
}

export function newKeys(): RepositoryKeys {
  return { dataKey: randomBytes(KEY_BYTES), idKey: randomBytes(KEY_BYTES) };
}

function wrapAad(repositoryId: string): Buffer {
  return Buffer.from(`dpvault-keys-v1:${repositoryId}`);
}

/** The repository keys sealed under the master key (AES-256-GCM key wrap). */
export function wrapKeys(master: Buffer, repositoryId: string, keys: RepositoryKeys): Buffer {
  checkMasterKey(master);
  return seal(master, [keys.dataKey, keys.idKey], wrapAad(repositoryId));
}

/** The repository keys, or null when `master` is not the key they were wrapped with. */
export function unwrapKeys(master: Buffer, repositoryId: string, wrapped: Buffer): RepositoryKeys | null {
  checkMasterKey(master);
  const plain = unseal(master, wrapped, wrapAad(repositoryId));
  if (!plain || plain.length !== 2 * KEY_BYTES) return null;
  return { dataKey: plain.subarray(0, KEY_BYTES), idKey: plain.subarray(KEY_BYTES) };
}

/** 256 pseudo-random 32-bit words derived from the id key: the chunker's gear table. */
export function gearTable(idKey: Buffer): Uint32Array {
  const bytes = Buffer.alloc(1024);
  for (let block = 0; block < 32; block++) {
    createHmac('sha256', idKey).update(`dpvault-gear-v1:${block}`).digest().copy(bytes, block * 32);
  }
  const table = new Uint32Array(256);
  for (let i = 0; i < 256; i++) table[i] = bytes.readUInt32LE(i * 4);
  return table;
}
