// Notes: small sealed objects the service keeps beside a repository's data under `notes/<64 hex>`
// (the SHA-256 of the note's key), so what the catalog knows about that data beyond the manifests
// (a soft-deleted backup instance's deletion state) survives the catalog's loss. Sealed with the
// data key, authenticated with the note's id; a note that does not open is skipped.
import { createHash } from 'node:crypto';
import type { Storage } from '../storage/storage.ts';
import { isNotFound } from '../storage/storage.ts';
import { seal, unseal } from './crypto.ts';
import { listAll } from './io.ts';
import { NOTE_PREFIX } from './layout.ts';

const noteId = (key: string): string => createHash('sha256').update(key).digest('hex');
const aad = (id: string): Buffer => Buffer.from(`note:${id}`);

export async function putNote(storage: Storage, dataKey: Buffer, key: string, value: Buffer): Promise<void> {
  const id = noteId(key);
  await storage.put(`${NOTE_PREFIX}${id}`, seal(dataKey, [value], aad(id)));
}

export async function deleteNote(storage: Storage, key: string): Promise<void> {
  try {
    await storage.delete(`${NOTE_PREFIX}${noteId(key)}`);
  } catch (e) {
    if (!isNotFound(e)) throw e;
  }
}

/** Every note that opens, in no particular order. */
export async function readNotes(storage: Storage, dataKey: Buffer): Promise<Buffer[]> {
  const out: Buffer[] = [];
  for (const info of await listAll(storage, NOTE_PREFIX)) {
    const id = info.name.slice(NOTE_PREFIX.length);
    if (!/^[0-9a-f]{64}$/.test(id)) continue;
    const plain = unseal(dataKey, await storage.get(info.name), aad(id));
    if (plain) out.push(plain);
  }
  return out;
}
