// The config is the one object nothing else can rebuild (it holds the wrapped keys), so it is kept
// twice: `config` and `config-copy`, each with a tag over its parameters under the id key. Opening
// takes the first copy that parses, opens with the master key and matches its tag, and names the
// other if it does not; verify reports it and repair writes both again. Writers put the copy first,
// so an interrupted write leaves at least one whole copy of either the old or the new config.
import { createHmac } from 'node:crypto';
import type { Storage } from '../storage/storage.ts';
import { isNotFound } from '../storage/storage.ts';
import { parseConfig } from './config.ts';
import type { RepositoryConfig } from './config.ts';
import { checkMasterKey, unwrapKeys } from './crypto.ts';
import type { RepositoryKeys } from './crypto.ts';
import { errors } from '../domain/errors.ts';
import { CONFIG_NAME } from './layout.ts';

export const CONFIG_COPY_NAME = 'config-copy';

export function paramsTag(keys: RepositoryKeys, c: RepositoryConfig): string {
  const params = { format: c.format, version: c.version, id: c.id, chunker: c.chunker, packSize: c.packSize, compressionLevel: c.compressionLevel, frameBytes: c.frameBytes };
  return createHmac('sha256', keys.idKey).update('dpvault-config-v1:').update(JSON.stringify(params)).digest('hex');
}

/** Writes the config (tagged) as both copies, the copy first. */
export async function writeConfigs(storage: Storage, config: RepositoryConfig, keys: RepositoryKeys): Promise<void> {
  const body = Buffer.from(JSON.stringify({ ...config, paramsTag: paramsTag(keys, config) }, null, 2));
  await storage.put(CONFIG_COPY_NAME, body);
  await storage.put(CONFIG_NAME, body);
}

export interface OpenedConfig {
  config: RepositoryConfig;
  keys: RepositoryKeys;
  /** Copies that did not read, open or match their tag (a missing copy of an old repository is not listed). */
  damaged: { name: string; problem: string }[];
  /** Written before copies existed: the copy is to be written. */
  copyMissing: boolean;
}

/** The repository's config and keys from the first good copy. */
export async function openConfig(storage: Storage, master: Buffer): Promise<OpenedConfig> {
  checkMasterKey(master);
  const damaged: { name: string; problem: string }[] = [];
  let keyMismatch = 0;
  let found = 0;
  let good: { config: RepositoryConfig; keys: RepositoryKeys } | null = null;
  let copyMissing = false;
  for (const name of [CONFIG_NAME, CONFIG_COPY_NAME]) {
    const raw = await getOrNull(storage, name);
    if (raw === null) {
      if (name === CONFIG_NAME) damaged.push({ name, problem: 'it is missing' });
      else copyMissing = true;
      continue;
    }
    found++;
    try {
      const config = parseConfig(raw, `'${name}' at ${storage.displayName}`);
      const keys = unwrapKeys(master, config.id, Buffer.from(config.wrappedKeys, 'base64'));
      if (!keys) {
        keyMismatch++;
        damaged.push({ name, problem: 'its wrapped keys do not open with this master key' });
        continue;
      }
      if (config.paramsTag !== undefined && config.paramsTag !== paramsTag(keys, config)) {
        damaged.push({ name, problem: 'its parameters do not match their tag' });
        continue;
      }
      good ??= { config, keys };
    } catch (e) {
      damaged.push({ name, problem: (e as Error).message });
    }
  }
  if (found === 0) throw errors.repositoryNotFound(storage.displayName);
  if (good) return { ...good, damaged, copyMissing };
  if (keyMismatch > 0) {
    throw errors.repositoryKeyMismatch(keyMismatch < found);
  }
  throw errors.repositoryConfigDamaged(storage.displayName, damaged);
}

/**
 * The copies that no longer hold `config` (the open repository's) whole, checked without the
 * master key: each must parse, name the same id, keys and parameters, and match its tag.
 */
export async function checkConfigCopies(storage: Storage, config: RepositoryConfig, keys: RepositoryKeys): Promise<{ name: string; problem: string }[]> {
  const damaged: { name: string; problem: string }[] = [];
  const expected = JSON.stringify({ ...config, paramsTag: paramsTag(keys, config) });
  for (const name of [CONFIG_NAME, CONFIG_COPY_NAME]) {
    const raw = await getOrNull(storage, name);
    if (raw === null) {
      damaged.push({ name, problem: 'it is missing' });
      continue;
    }
    try {
      const found = parseConfig(raw, `'${name}' at ${storage.displayName}`);
      if (JSON.stringify({ ...found, paramsTag: found.paramsTag ?? paramsTag(keys, found) }) !== expected) {
        damaged.push({ name, problem: 'it differs from the config the repository was opened with' });
      }
    } catch (e) {
      damaged.push({ name, problem: (e as Error).message });
    }
  }
  return damaged;
}

async function getOrNull(storage: Storage, name: string): Promise<Buffer | null> {
  try {
    return await storage.get(name);
  } catch (e) {
    if (isNotFound(e)) return null;
    throw e;
  }
}
