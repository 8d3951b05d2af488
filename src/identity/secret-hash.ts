// Password credentials as the catalog keeps them: a keyed hash of the secret with a random salt,
// never the secret. Every secret is made here (newClientSecret: 240 random bits), so no one can
// guess one and key stretching buys nothing: new credentials are `hmac-sha256$salt$mac`, a
// microsecond to check. They were scrypt (N=16384, r=8): 16 MiB and ~50 ms of a thread-pool
// thread per sign-in, which showed in the server's peak memory when a client signed in during a
// restore (docs/benchmarks.md); credentials stored that way still verify. Checking compares in
// constant time; a check against no credential at all does the same work as one against a new
// credential, so timing does not tell which client ids exist (a legacy scrypt credential's check
// takes longer than a miss).
import { createHmac, randomBytes, scrypt, timingSafeEqual } from 'node:crypto';

const HMAC_FORMAT = /^hmac-sha256\$([A-Za-z0-9_-]+)\$([A-Za-z0-9_-]+)$/;
const SCRYPT_FORMAT = /^scrypt\$(\d+)\$(\d+)\$(\d+)\$([A-Za-z0-9_-]+)\$([A-Za-z0-9_-]+)$/;
const LENGTH = 32;

function mac(secret: string, salt: Buffer): Buffer {
  return createHmac('sha256', salt).update(secret, 'utf8').digest();
}

function scryptKey(secret: string, salt: Buffer, n: number, r: number, p: number): Promise<Buffer> {
  return new Promise((resolve, reject) =>
    scrypt(secret, salt, LENGTH, { N: n, r, p, maxmem: 64 * 1024 * 1024 }, (err, key) => (err ? reject(err) : resolve(key))),
  );
}

function same(want: Buffer, got: Buffer): boolean {
  return want.length === got.length && timingSafeEqual(want, got);
}

/** `hmac-sha256$salt$mac` (base64url). */
export async function hashSecret(secret: string): Promise<string> {
  const salt = randomBytes(16);
  return `hmac-sha256$${salt.toString('base64url')}$${mac(secret, salt).toString('base64url')}`;
}

/** Whether `secret` is the one `hash` was made of; `undefined` (no such credential) is never a match. */
export async function secretMatches(secret: string, hash: string | undefined): Promise<boolean> {
  const h = hash ? HMAC_FORMAT.exec(hash) : null;
  if (h) return same(Buffer.from(h[2]!, 'base64url'), mac(secret, Buffer.from(h[1]!, 'base64url')));
  const legacy = hash ? SCRYPT_FORMAT.exec(hash) : null;
  if (legacy) {
    const key = await scryptKey(secret, Buffer.from(legacy[4]!, 'base64url'), Number(legacy[1]), Number(legacy[2]), Number(legacy[3]));
    return same(Buffer.from(legacy[5]!, 'base64url'), key);
  }
  same(Buffer.alloc(LENGTH), mac(secret, Buffer.alloc(16))); // the same work as a real check
  return false;
}

/**
 * A new client secret: 40 base64url characters, about 240 bits of randomness, never starting with
 * `-`: one in 64 did, and `dpvault login -p SECRET` (as az's) then read it as a flag.
 */
export function newClientSecret(): string {
  for (;;) {
    const secret = randomBytes(30).toString('base64url');
    if (!secret.startsWith('-')) return secret;
  }
}
