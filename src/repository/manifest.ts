// Manifests, one per recovery point: the commit object of a backup. A manifest is sealed JSON
// (ids, times, size, chunk count, caller metadata); the ordered chunk ids live
// in chunk-list parts beside it, so a manifest stays small however large the stream. Parts are
// written first, the manifest last: a manifest exists only when everything it names is durable.
import { createHash } from 'node:crypto';
import type { Storage } from '../storage/storage.ts';
import { isNotFound } from '../storage/storage.ts';
import { ID_BYTES, seal, unseal } from './crypto.ts';
import { errors } from '../domain/errors.ts';
import { chunkListName, isManifestId, MANIFEST_PREFIX, manifestIdOf, manifestName } from './layout.ts';
import { listAll, mapLimit } from './io.ts';

/**
 * Version 3 hashes the whole stream as a hash list: `streamHash` is the SHA-256 of its chunk ids
 * in order, and each id is a keyed hash of its chunk's bytes, so a restore that checks every
 * chunk against its id, reading ids from a list checked against `streamHash` (readChunkList), has
 * checked every byte, in order, without the backup making a second SHA-256 pass over them
 * (docs/benchmarks.md). Version 2 had only the per-chunk check; version 1 recorded the stream's
 * plain SHA-256 instead. Both are still read and checked by what they recorded.
 */
export const MANIFEST_VERSION = 3;
const READABLE_MANIFEST_VERSIONS = [1, 2, 3];
/** Chunk ids per chunk-list part (512 KiB of ids, about 8 GiB of data at 512 KiB chunks). */
export const IDS_PER_PART = 16 * 1024;

/** What a caller may attach to a recovery point; stored encrypted with the manifest. */
export type ManifestMetadata = Record<string, unknown>;

export interface Manifest {
  version: number;
  /** The manifest id, 32 hex characters, also its storage name. */
  id: string;
  /** The recovery point this backup is, as the caller names it; null when none was given. */
  recoveryPointId: string | null;
  /** ISO 8601, from the repository's clock. */
  createdAt: string;
  /** Bytes of the original stream. */
  size: number;
  /** Version 1 only: SHA-256 of the original stream, hex. */
  sha256?: string;
  /** Version 3 on: SHA-256 of the stream's chunk ids in order (StreamHash), hex. */
  streamHash?: string;
  chunkCount: number;
  chunkListParts: number;
  /** Bytes of chunks this backup was first to store: original and stored (compressed, sealed). */
  newBytes: number;
  storedBytes: number;
  metadata: ManifestMetadata;
}

/** The hash of a whole stream from its chunk ids, given in stream order. */
export class StreamHash {
  readonly #hash = createHash('sha256').update('dpvault-stream-v3');

  add(id: string): void {
    this.#hash.update(id, 'hex');
  }

  /** Ids given as their bytes, end to end (a chunk-list part). */
  addBytes(ids: Buffer): void {
    this.#hash.update(ids);
  }

  hex(): string {
    return this.#hash.digest('hex');
  }
}

const manifestAad = (id: string): Buffer => Buffer.from(`dpvault-manifest-v1:${id}`);
const partAad = (id: string, part: number): Buffer => Buffer.from(`dpvault-chunklist-v1:${id}:${part}`);

export async function writeManifest(storage: Storage, dataKey: Buffer, manifest: Manifest): Promise<void> {
  const data = seal(dataKey, [Buffer.from(JSON.stringify(manifest))], manifestAad(manifest.id));
  await storage.put(manifestName(manifest.id), data);
}

export async function readManifest(storage: Storage, dataKey: Buffer, id: string): Promise<Manifest> {
  if (!isManifestId(id)) throw errors.repositoryManifestNotFound(id);
  let data: Buffer;
  try {
    data = await storage.get(manifestName(id));
  } catch (e) {
    if (isNotFound(e)) throw errors.repositoryManifestNotFound(id);
    throw e;
  }
  const plain = unseal(dataKey, data, manifestAad(id));
  if (!plain) throw errors.repositoryDataCorrupt(`Recovery point manifest '${id}' is damaged and cannot be read.`);
  const manifest = JSON.parse(plain.toString('utf8')) as Manifest;
  const known =
    READABLE_MANIFEST_VERSIONS.includes(manifest.version) &&
    (manifest.version !== 1 || typeof manifest.sha256 === 'string') &&
    (manifest.version < 3 || typeof manifest.streamHash === 'string');
  if (!known || manifest.id !== id) throw errors.repositoryDataCorrupt(`Manifest '${id}' has an unknown form.`);
  return manifest;
}

export async function listManifestIds(storage: Storage): Promise<string[]> {
  const names = await listAll(storage, MANIFEST_PREFIX);
  return names.map((o) => manifestIdOf(o.name)).filter((id): id is string => id !== null);
}

/** Every manifest, oldest first. */
export async function readAllManifests(storage: Storage, dataKey: Buffer, ids?: string[]): Promise<Manifest[]> {
  const list = ids ?? (await listManifestIds(storage));
  const manifests = await mapLimit(list, storage.properties.maxConcurrency, (id) => readManifest(storage, dataKey, id));
  return manifests.sort((a, b) => a.createdAt.localeCompare(b.createdAt) || a.id.localeCompare(b.id));
}

/**
 * Accumulates a backup's chunk ids and writes them out part by part. A full part is written
 * while the next one fills; the backup waits only when that one fills before the write is done.
 */
export class ChunkListWriter {
  readonly #storage: Storage;
  readonly #dataKey: Buffer;
  readonly #manifestId: string;
  readonly #idsPerPart: number;
  #buf: Buffer;
  /** A part's buffer back from a finished write, for the part after next. */
  #spare: Buffer | null = null;
  #fill = 0;
  #parts = 0;
  #count = 0;
  /** The part being written, its ids kept until it is stored; left in place if the write fails. */
  #writing: { part: number; ids: Buffer; done: Promise<void> } | null = null;

  constructor(storage: Storage, dataKey: Buffer, manifestId: string, idsPerPart = IDS_PER_PART) {
    this.#storage = storage;
    this.#dataKey = dataKey;
    this.#manifestId = manifestId;
    this.#idsPerPart = idsPerPart;
    this.#buf = Buffer.alloc(idsPerPart * ID_BYTES);
  }

  get count(): number {
    return this.#count;
  }
  get parts(): number {
    return this.#parts;
  }

  /**
   * Appends an id (hex). When that fills a part while the previous part is still being written, a
   * promise to wait for (the previous write, then the start of this one); else nothing.
   */
  add(id: string): Promise<void> | undefined {
    this.#buf.write(id, this.#fill * ID_BYTES, ID_BYTES, 'hex');
    this.#fill++;
    this.#count++;
    if (this.#fill < this.#idsPerPart) return undefined;
    if (!this.#writing) {
      this.#startPart();
      return undefined;
    }
    return this.#writing.done.then(() => this.#startPart());
  }

  /**
   * Every id added so far. What is not stored yet is copied first, synchronously, so ids added
   * while this runs may be missing but none added before the call.
   */
  async *ids(): AsyncGenerator<string> {
    const writing = this.#writing && { part: this.#writing.part, ids: Buffer.from(this.#writing.ids) };
    const stored = writing ? writing.part : this.#parts;
    const tail = Buffer.from(this.#buf.subarray(0, this.#fill * ID_BYTES));
    for (let part = 0; part < stored; part++) {
      const plain = unseal(this.#dataKey, await this.#storage.get(chunkListName(this.#manifestId, part)), partAad(this.#manifestId, part));
      if (plain) yield* idsIn(plain);
    }
    if (writing) yield* idsIn(writing.ids);
    yield* idsIn(tail);
  }

  /** Writes the last, partial part and waits until every part is stored. */
  async finish(): Promise<void> {
    if (this.#writing) await this.#writing.done;
    if (this.#fill > 0) {
      this.#startPart();
      await this.#writing!.done;
    }
  }

  /** Starts writing the filled part; the next part fills another buffer meanwhile. */
  #startPart(): void {
    const part = this.#parts++;
    const ids = this.#buf.subarray(0, this.#fill * ID_BYTES);
    const data = seal(this.#dataKey, [ids], partAad(this.#manifestId, part));
    this.#buf = this.#spare ?? Buffer.alloc(this.#idsPerPart * ID_BYTES);
    this.#spare = null;
    this.#fill = 0;
    const done = this.#storage.put(chunkListName(this.#manifestId, part), data).then(() => {
      this.#writing = null;
      this.#spare = Buffer.from(ids.buffer, ids.byteOffset, this.#idsPerPart * ID_BYTES);
    });
    done.catch(() => undefined); // awaited by the next full part or by finish
    this.#writing = { part, ids, done };
  }
}

function* idsIn(buf: Buffer): Generator<string> {
  for (let o = 0; o + ID_BYTES <= buf.length; o += ID_BYTES) yield buf.toString('hex', o, o + ID_BYTES);
}

/**
 * The chunk ids of a manifest, in stream order, read part by part. After the last, the count and
 * (from version 3) the stream hash must be the manifest's, else it throws: every reader of a
 * chunk list (restore, verify, gc) checks the whole list.
 */
export async function* readChunkList(storage: Storage, dataKey: Buffer, manifest: Manifest): AsyncGenerator<string> {
  let seen = 0;
  const hash = manifest.streamHash === undefined ? null : new StreamHash();
  for (let part = 0; part < manifest.chunkListParts; part++) {
    const name = chunkListName(manifest.id, part);
    let data: Buffer;
    try {
      data = await storage.get(name);
    } catch (e) {
      if (isNotFound(e)) throw errors.repositoryDataCorrupt(`Recovery point manifest '${manifest.id}' is damaged: its chunk list part '${name}' is missing.`);
      throw e;
    }
    const plain = unseal(dataKey, data, partAad(manifest.id, part));
    if (!plain || plain.length % ID_BYTES !== 0) {
      throw errors.repositoryDataCorrupt(`Recovery point manifest '${manifest.id}' is damaged: its chunk list part '${name}' does not authenticate.`);
    }
    seen += plain.length / ID_BYTES;
    hash?.addBytes(plain);
    yield* idsIn(plain);
  }
  if (seen !== manifest.chunkCount) {
    throw errors.repositoryDataCorrupt(`Recovery point manifest '${manifest.id}' is damaged: its chunk list holds ${seen} chunks, not ${manifest.chunkCount}.`);
  }
  if (hash && hash.hex() !== manifest.streamHash) {
    throw errors.repositoryDataCorrupt(`Recovery point manifest '${manifest.id}' is damaged: its chunk list does not match its stream hash.`);
  }
}

/** Reads several manifests' chunk lists into one set of chunk ids (used by gc and verify). */
export async function collectChunkIds(
  storage: Storage,
  dataKey: Buffer,
  manifests: readonly Manifest[],
  into: { add(id: string): unknown },
): Promise<void> {
  await mapLimit(manifests, storage.properties.maxConcurrency, async (m) => {
    for await (const id of readChunkList(storage, dataKey, m)) into.add(id);
  });
}

