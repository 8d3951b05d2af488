// The pack file format. A pack is a run of sealed blobs followed by a sealed trailer that lists
// every chunk (id, offset and stored length of its blob, original length), the trailer's length
// and a magic:
//
//   blob_0 | blob_1 | ... | blob_n-1 | sealed trailer | u32 LE trailer length | "DPK1"
//
// A blob holds one chunk or a frame of several chunks written one after another (format 2):
// seal(dataKey, flag | payload, aad = the ids of its chunks, in order), flag 0 = stored, 1 = zstd
// over the whole frame, so a blob cannot be passed off as other chunks. The trailer lists a
// frame's chunks in order with the same offset and length; a chunk's place in its frame follows
// from the original lengths of the chunks before it (a trailer's entries never skip a chunk). A blob of one chunk is sealed with that
// chunk's id alone, which is format 1's blob, so format-1 packs read as frames of one. The
// trailer makes a pack self-describing: the index can be rebuilt from packs and the data key
// alone. Every byte of a pack is authenticated except the last eight, which are checked for
// consistency.
import { createHash } from 'node:crypto';
import type { Storage } from '../storage/storage.ts';
import { ID_BYTES, seal, sealPieces, unseal } from './crypto.ts';
import { decompressChunk } from './zstd.ts';
import { errors } from '../domain/errors.ts';
import { packName } from './layout.ts';
import { readRange } from './io.ts';

export const PACK_MAGIC = Buffer.from('DPK1');
export const PACK_TAIL_BYTES = 8;
const TRAILER_AAD = Buffer.from('dpvault-pack-trailer-v1');
const ENTRY_BYTES = ID_BYTES + 12;
const FLAG_STORED = Buffer.from([0]);
const FLAG_ZSTD = Buffer.from([1]);

/**
 * A pack's name: the SHA-256 of its sealed trailer. The trailer lists every chunk and where its
 * blob lies, and every blob is sealed with its chunks' ids, so the name pins the whole pack
 * without hashing its megabytes (format 1 named packs by the SHA-256 of all their bytes).
 */
export function packIdOfTrailer(sealedTrailer: Buffer): string {
  return createHash('sha256').update(sealedTrailer).digest('hex');
}

/** Whether a stored pack's bytes belong to its name, as either format names packs. */
export function packMatchesName(packId: string, data: Buffer): boolean {
  if (data.length >= PACK_TAIL_BYTES) {
    const trailerLength = data.readUInt32LE(data.length - PACK_TAIL_BYTES);
    const start = data.length - PACK_TAIL_BYTES - trailerLength;
    if (start >= 0 && packIdOfTrailer(data.subarray(start, data.length - PACK_TAIL_BYTES)) === packId) return true;
  }
  return createHash('sha256').update(data).digest('hex') === packId;
}

/** One chunk inside a pack. */
export interface PackEntry {
  /** Chunk id, 64 hex characters. */
  id: string;
  /** Where its blob starts in the pack. */
  offset: number;
  /** Stored (sealed) length of its blob. */
  length: number;
  /** Length of the original chunk. */
  rawLength: number;
}

/** A blob and the chunks it holds, in order. */
export interface PackBlob {
  offset: number;
  length: number;
  entries: PackEntry[];
}

/** The blobs of a pack from its entries (in pack order): runs of entries with the same offset. */
export function blobsOf(entries: readonly PackEntry[]): PackBlob[] {
  const blobs: PackBlob[] = [];
  for (const e of entries) {
    const last = blobs[blobs.length - 1];
    if (last && last.offset === e.offset) last.entries.push(e);
    else blobs.push({ offset: e.offset, length: e.length, entries: [e] });
  }
  return blobs;
}

/** What a blob is sealed with: the ids of its chunks, end to end, in order. */
export function blobAad(entries: readonly { id: string }[]): Buffer {
  const aad = Buffer.allocUnsafe(entries.length * ID_BYTES);
  entries.forEach((e, i) => aad.write(e.id, i * ID_BYTES, 'hex'));
  return aad;
}

/** A pack and what it holds, as recorded in index files and pack trailers. */
export interface PackRecord {
  packId: string;
  size: number;
  entries: PackEntry[];
}

export function encodeEntries(entries: readonly PackEntry[]): Buffer {
  const out = Buffer.alloc(4 + entries.length * ENTRY_BYTES);
  out.writeUInt32LE(entries.length, 0);
  let o = 4;
  for (const e of entries) {
    out.write(e.id, o, 'hex');
    out.writeUInt32LE(e.offset, o + ID_BYTES);
    out.writeUInt32LE(e.length, o + ID_BYTES + 4);
    out.writeUInt32LE(e.rawLength, o + ID_BYTES + 8);
    o += ENTRY_BYTES;
  }
  return out;
}

/** Decodes entries starting at `at`; returns them and the offset after them, or null if malformed. */
export function decodeEntries(buf: Buffer, at: number): { entries: PackEntry[]; end: number } | null {
  if (at + 4 > buf.length) return null;
  const count = buf.readUInt32LE(at);
  const end = at + 4 + count * ENTRY_BYTES;
  if (end > buf.length) return null;
  const entries: PackEntry[] = [];
  for (let o = at + 4; o < end; o += ENTRY_BYTES) {
    entries.push({
      id: buf.toString('hex', o, o + ID_BYTES),
      offset: buf.readUInt32LE(o + ID_BYTES),
      length: buf.readUInt32LE(o + ID_BYTES + 4),
      rawLength: buf.readUInt32LE(o + ID_BYTES + 8),
    });
  }
  return { entries, end };
}

/** Seals a blob's payload (already compressed or not); `aad`: the ids of its chunks (blobAad). */
export function sealChunk(dataKey: Buffer, aad: Buffer, payload: Buffer, compressed: boolean): Buffer {
  return Buffer.concat(sealChunkPieces(dataKey, aad, payload, compressed));
}

/** `sealChunk`'s blob in pieces, to be copied where the caller wants it. */
export function sealChunkPieces(dataKey: Buffer, aad: Buffer, payload: Buffer, compressed: boolean): Buffer[] {
  return sealPieces(dataKey, blobPlaintextPieces(payload, compressed), aad);
}

/** What a blob seals: the flag byte, then the payload. */
export function blobPlaintextPieces(payload: Buffer, compressed: boolean): Buffer[] {
  return [compressed ? FLAG_ZSTD : FLAG_STORED, payload];
}

/** The blob whose plaintext (flag byte and payload, as `blobPlaintextPieces`) is given whole. */
export function sealBlobPlaintextPieces(dataKey: Buffer, aad: Buffer, plaintext: Buffer): Buffer[] {
  return sealPieces(dataKey, [plaintext], aad);
}

/** The payload of a blob, or null when it does not authenticate as the chunks `aad` names (blobAad). */
export function unsealBlob(dataKey: Buffer, aad: Buffer, blob: Buffer): { payload: Buffer; compressed: boolean } | null {
  const plain = unseal(dataKey, blob, aad);
  if (!plain || plain.length < 1 || plain[0]! > 1) return null;
  return { payload: plain.subarray(1), compressed: plain[0] === 1 };
}

/**
 * The original bytes of a blob sealed with `aad` (blobAad of its chunks), which must be
 * `rawLength` bytes; null when it does not authenticate or decompress to that length. The bytes
 * may live in a buffer the next call on this thread reuses: use or copy them first.
 */
export function openBlob(dataKey: Buffer, blob: Buffer, aad: Buffer, rawLength: number): Buffer | null {
  const opened = unsealBlob(dataKey, aad, blob);
  if (!opened) return null;
  const data = opened.compressed ? decompressChunk(opened.payload, rawLength) : opened.payload;
  return data && data.length === rawLength ? data : null;
}

/** openBlob for a blob of a pack, whose chunks `blob.entries` name. */
export function openPackBlob(dataKey: Buffer, pack: Buffer, blob: PackBlob): Buffer | null {
  if (blob.offset + blob.length > pack.length) return null;
  let raw = 0;
  for (const e of blob.entries) raw += e.rawLength;
  return openBlob(dataKey, pack.subarray(blob.offset, blob.offset + blob.length), blobAad(blob.entries), raw);
}

/**
 * Collects sealed blobs into one pack; `finish` adds the trailer and names the pack. Blobs are
 * copied into one buffer as they come (sized for `capacity` bytes of blobs, grown if need be),
 * so a pack costs one allocation and no copy at the end.
 */
export class PackBuilder {
  readonly #entries: PackEntry[] = [];
  #buf: Buffer;
  #size = 0;

  /** `reuse`: a buffer of a finished pack whose data is no longer needed, if it is big enough. */
  constructor(capacity = 1024 * 1024, reuse?: Buffer) {
    this.#buf = reuse && reuse.length >= capacity ? reuse : Buffer.allocUnsafeSlow(capacity);
  }

  get size(): number {
    return this.#size;
  }
  get count(): number {
    return this.#entries.length;
  }

  /** Appends a blob of one chunk, given whole or in pieces (as sealing makes it). */
  add(id: string, blob: Buffer | readonly Buffer[], rawLength: number): void {
    this.addBlob([{ id, rawLength }], blob);
  }

  /** Appends a blob holding `chunks`, in order (sealed with their ids, blobAad). */
  addBlob(chunks: readonly { id: string; rawLength: number }[], blob: Buffer | readonly Buffer[]): void {
    const pieces = Buffer.isBuffer(blob) ? [blob] : blob;
    let length = 0;
    for (const p of pieces) length += p.length;
    this.#reserve(length);
    let at = this.#size;
    for (const p of pieces) at += p.copy(this.#buf, at);
    for (const c of chunks) this.#entries.push({ id: c.id, offset: this.#size, length, rawLength: c.rawLength });
    this.#size += length;
  }

  finish(dataKey: Buffer): { record: PackRecord; data: Buffer } {
    const trailer = seal(dataKey, [encodeEntries(this.#entries)], TRAILER_AAD);
    this.#reserve(trailer.length + PACK_TAIL_BYTES);
    let at = this.#size;
    at += trailer.copy(this.#buf, at);
    at = this.#buf.writeUInt32LE(trailer.length, at);
    at += PACK_MAGIC.copy(this.#buf, at);
    const data = this.#buf.subarray(0, at);
    return { record: { packId: packIdOfTrailer(trailer), size: data.length, entries: [...this.#entries] }, data };
  }

  #reserve(more: number): void {
    if (this.#size + more <= this.#buf.length) return;
    const grown = Buffer.allocUnsafeSlow(Math.max(this.#size + more, this.#buf.length + (this.#buf.length >> 1)));
    this.#buf.copy(grown, 0, 0, this.#size);
    this.#buf = grown;
  }
}

/**
 * The entries of a pack, read from its trailer. `tail` holds the last bytes of the pack (at
 * least PACK_TAIL_BYTES); when it does not reach back to the trailer's start, `more` is called
 * for the missing range. Throws a corrupt error naming the pack when anything does not check.
 */
export async function parseTrailer(
  dataKey: Buffer,
  packId: string,
  size: number,
  tail: Buffer,
  more: (offset: number, length: number) => Promise<Buffer>,
): Promise<PackEntry[]> {
  const name = packName(packId);
  const bad = (why: string): Error => errors.repositoryDataCorrupt(`Pack '${name}' is damaged: ${why}.`);
  if (tail.length < PACK_TAIL_BYTES || size < PACK_TAIL_BYTES) throw bad('it is too short to be a pack');
  if (!tail.subarray(tail.length - 4).equals(PACK_MAGIC)) throw bad('its end marker is wrong');
  const trailerLength = tail.readUInt32LE(tail.length - PACK_TAIL_BYTES);
  const trailerStart = size - PACK_TAIL_BYTES - trailerLength;
  if (trailerStart < 0) throw bad('its trailer length is impossible');
  const have = tail.length - PACK_TAIL_BYTES;
  const sealed =
    have >= trailerLength
      ? tail.subarray(have - trailerLength, have)
      : Buffer.concat([await more(trailerStart, trailerLength - have), tail.subarray(0, have)]);
  const plain = unseal(dataKey, sealed, TRAILER_AAD);
  const decoded = plain ? decodeEntries(plain, 0) : null;
  if (!decoded || decoded.end !== plain?.length) throw bad('its trailer does not authenticate');
  let expected = 0;
  for (const blob of blobsOf(decoded.entries)) {
    if (blob.offset !== expected) throw bad('its trailer lists blobs that do not follow each other');
    if (blob.entries.some((e) => e.length !== blob.length)) throw bad('its trailer gives one blob two lengths');
    expected += blob.length;
  }
  if (expected !== trailerStart) throw bad('its trailer does not account for every byte');
  return decoded.entries;
}

/** Reads and checks the trailer of a stored pack of known size. */
export async function readTrailer(storage: Storage, dataKey: Buffer, packId: string, size: number): Promise<PackEntry[]> {
  const name = packName(packId);
  const tailLength = Math.min(size, 16 * 1024);
  const tail = await readRange(storage, name, size - tailLength, tailLength);
  return parseTrailer(dataKey, packId, size, tail, (offset, length) => readRange(storage, name, offset, length));
}
