// The server's master key: 32 random bytes created on first start in <data-dir>/master.key with
// mode 0600, or taken from DPVAULT_MASTER_KEY (64 hex characters or base64 of 32 bytes).
// It encrypts key vault secrets at rest and wraps each repository's data key.
import { existsSync, readFileSync, writeFileSync, chmodSync, renameSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { errors } from '../domain/errors.ts';

export function decodeMasterKey(text: string): Buffer {
  const t = text.trim();
  const key = /^[0-9a-fA-F]{64}$/.test(t) ? Buffer.from(t, 'hex') : Buffer.from(t, 'base64');
  if (key.length !== 32) {
    throw errors.masterKeyInvalid();
  }
  return key;
}

export function loadOrCreateMasterKey(dataDir: string, env: Record<string, string | undefined> = process.env): Buffer {
  const path = join(dataDir, 'master.key');
  if (env.DPVAULT_MASTER_KEY || existsSync(path)) return existingMasterKey(dataDir, env);
  const tmp = `${path}.tmp`;
  writeFileSync(tmp, `${randomBytes(32).toString('hex')}\n`, { mode: 0o600, flag: 'wx' });
  chmodSync(tmp, 0o600);
  renameSync(tmp, path);
  return decodeMasterKey(readFileSync(path, 'utf8'));
}

/** The data directory's master key (DPVAULT_MASTER_KEY, else <data-dir>/master.key), never a new one. */
export function existingMasterKey(dataDir: string, env: Record<string, string | undefined> = process.env): Buffer {
  if (env.DPVAULT_MASTER_KEY) return decodeMasterKey(env.DPVAULT_MASTER_KEY);
  const path = join(dataDir, 'master.key');
  if (!existsSync(path)) throw errors.masterKeyMissing(dataDir);
  return decodeMasterKey(readFileSync(path, 'utf8'));
}
