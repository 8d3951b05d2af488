// The repository's config object: plain JSON naming the format version and the parameters every
// writer must share (chunk sizes, pack size, compression level), and the repository keys wrapped
// by the caller's master key. Nothing in it is secret without the master key.
import { randomBytes } from 'node:crypto';
import { isNotFound } from '../storage/storage.ts';
import type { Storage } from '../storage/storage.ts';
import { checkChunkerParams, DEFAULT_CHUNKER } from './chunker.ts';
import type { ChunkerParams } from './chunker.ts';
import { wrapKeys } from './crypto.ts';
import type { RepositoryKeys } from './crypto.ts';
import { errors } from '../domain/errors.ts';
import { CONFIG_NAME } from './layout.ts';
import { DEFAULT_COMPRESSION_LEVEL } from './zstd.ts';

export const FORMAT = 'dpvault-repository';
/**
 * 2: blobs may hold frames of several chunks (pack.ts). Format 1 repositories stay readable and
 * keep writing blobs of one chunk (frameBytes 0), so the dpvault that made them still reads them.
 */
export const FORMAT_VERSION = 2;
const READABLE_VERSIONS = [1, 2];
/**
 * Frames of new repositories: consecutive new chunks are compressed and sealed together up to
 * 64 KiB (about eight 8 KiB chunks). zstd compresses 64 KiB a third faster than eight separate
 * 8 KiB frames and slightly smaller, and one seal replaces eight; a restore that needs one chunk
 * of a frame opens the whole frame, which a larger frame would make costlier (docs/benchmarks.md).
 */
export const DEFAULT_FRAME_BYTES = 64 * 1024;
/**
 * Packs of new repositories: 4 MiB. A backup holds the pack it fills and the ones it uploads in
 * memory, so this is most of its working set; 4 MiB keeps a backup's peak well under the
 * server's budget with room for the chunk index (docs/tuning.md).
 */
export const DEFAULT_PACK_SIZE = 4 * 1024 * 1024;

/** Parameters fixed when a repository is created. */
export interface RepositoryParams {
  chunker: ChunkerParams;
  /** Packs are closed once they reach this many bytes. */
  packSize: number;
  /** zstd level for chunks; 0 stores chunks uncompressed. */
  compressionLevel: number;
  /** New chunks are sealed together in frames of up to this many bytes; 0: one chunk per blob. */
  frameBytes: number;
}

export interface RepositoryConfig extends RepositoryParams {
  format: typeof FORMAT;
  version: number;
  /** 32 hex characters; bound into the key wrap. */
  id: string;
  /** Base64 of the repository keys sealed under the master key. */
  wrappedKeys: string;
  /**
   * HMAC of the parameters under the id key (config-copies.ts), so a changed byte anywhere in the
   * config is found; absent in configs written before it existed.
   */
  paramsTag?: string;
}

export function resolveParams(opts: Partial<RepositoryParams> = {}): RepositoryParams {
  const params: RepositoryParams = {
    chunker: opts.chunker ?? DEFAULT_CHUNKER,
    packSize: opts.packSize ?? DEFAULT_PACK_SIZE,
    compressionLevel: opts.compressionLevel ?? DEFAULT_COMPRESSION_LEVEL,
    frameBytes: opts.frameBytes ?? DEFAULT_FRAME_BYTES,
  };
  checkChunkerParams(params.chunker);
  if (!Number.isInteger(params.packSize) || params.packSize < 64 * 1024 || params.packSize > 1024 * 1024 * 1024) {
    throw errors.repositoryOptionInvalid('The pack size must be between 64 KiB and 1 GiB.');
  }
  if (!Number.isInteger(params.compressionLevel) || params.compressionLevel < 0 || params.compressionLevel > 22) {
    throw errors.repositoryOptionInvalid('The compression level must be an integer from 0 (off) to 22.');
  }
  if (!Number.isInteger(params.frameBytes) || params.frameBytes < 0 || params.frameBytes > 16 * 1024 * 1024) {
    throw errors.repositoryOptionInvalid('The frame size must be an integer from 0 (one chunk per blob) to 16 MiB.');
  }
  return params;
}

export function newConfig(params: RepositoryParams, master: Buffer, keys: RepositoryKeys): RepositoryConfig {
  const id = randomBytes(16).toString('hex');
  return { format: FORMAT, version: FORMAT_VERSION, id, ...params, wrappedKeys: wrapKeys(master, id, keys).toString('base64') };
}

export async function writeNewConfig(storage: Storage, config: RepositoryConfig): Promise<void> {
  try {
    await storage.stat(CONFIG_NAME);
    throw errors.repositoryAlreadyExists(storage.displayName);
  } catch (e) {
    if (!isNotFound(e)) throw e;
  }
  await writeConfig(storage, config);
}

export async function writeConfig(storage: Storage, config: RepositoryConfig): Promise<void> {
  await storage.put(CONFIG_NAME, Buffer.from(JSON.stringify(config, null, 2)));
}

/** A config object's bytes, checked for form and version; `where` names it in errors. */
export function parseConfig(raw: Buffer, where: string): RepositoryConfig {
  let config: RepositoryConfig;
  try {
    config = JSON.parse(raw.toString('utf8')) as RepositoryConfig;
  } catch {
    throw errors.repositoryDataCorrupt(`The repository config ${where} is not valid JSON.`);
  }
  if (config === null || typeof config !== 'object' || config.format !== FORMAT || typeof config.id !== 'string' || typeof config.wrappedKeys !== 'string') {
    throw errors.repositoryDataCorrupt(`The object ${where} is not a dpvault repository config.`);
  }
  if (!READABLE_VERSIONS.includes(config.version)) {
    throw errors.repositoryDataCorrupt(`The repository config ${where} has format version ${config.version}; this dpvault reads versions ${READABLE_VERSIONS.join(' and ')}.`);
  }
  // Format 1 knew no frames: its writers keep to one chunk per blob.
  if (config.version === 1) config.frameBytes = 0;
  resolveParams(config);
  return config;
}

