// Where each kind of repository object lives in storage (see docs/repository-format.md):
//   config                          plain JSON: format version, parameters, wrapped keys
//   packs/<2 hex>/<64 hex>          pack files, named by the SHA-256 of their sealed trailer (format 1: of all their bytes)
//   index/<64 hex>                  index files, named by the SHA-256 of their bytes
//   manifests/<32 hex>              one per recovery point: the commit object of a backup
//   chunklists/<32 hex>/<6 digits>  the ordered chunk ids of that backup, in parts
//   quarantine/<64 hex>             what is known damaged in that pack (quarantine.ts)
//   notes/<64 hex>                  the service's sealed notes about the data (notes.ts)
//   lock-<32 hex>                   a lock of a process using the repository, plain JSON (locks.ts);
//                                   at the top, not in a folder: s3rver removes a folder emptied by a
//                                   delete while a put into it is under way, and crashes
export const CONFIG_NAME = 'config';
export const PACK_PREFIX = 'packs/';
export const INDEX_PREFIX = 'index/';
export const MANIFEST_PREFIX = 'manifests/';
export const CHUNKLIST_PREFIX = 'chunklists/';
export const QUARANTINE_PREFIX = 'quarantine/';
export const NOTE_PREFIX = 'notes/';
export const LOCK_PREFIX = 'lock-';

const HEX64 = /^[0-9a-f]{64}$/;
const HEX32 = /^[0-9a-f]{32}$/;

export const packName = (packId: string): string => `${PACK_PREFIX}${packId.slice(0, 2)}/${packId}`;
export const indexName = (indexId: string): string => `${INDEX_PREFIX}${indexId}`;
export const manifestName = (manifestId: string): string => `${MANIFEST_PREFIX}${manifestId}`;
export const chunkListName = (manifestId: string, part: number): string =>
  `${CHUNKLIST_PREFIX}${manifestId}/${String(part).padStart(6, '0')}`;

/** The pack id of a storage name under packs/, or null for anything else. */
export function packIdOf(name: string): string | null {
  const m = /^packs\/([0-9a-f]{2})\/([0-9a-f]{64})$/.exec(name);
  return m && m[2]!.startsWith(m[1]!) ? m[2]! : null;
}

export function indexIdOf(name: string): string | null {
  const id = name.slice(INDEX_PREFIX.length);
  return name.startsWith(INDEX_PREFIX) && HEX64.test(id) ? id : null;
}

export function manifestIdOf(name: string): string | null {
  const id = name.slice(MANIFEST_PREFIX.length);
  return name.startsWith(MANIFEST_PREFIX) && HEX32.test(id) ? id : null;
}

/** The manifest a chunk-list part belongs to, or null. */
export function chunkListOwner(name: string): string | null {
  const m = /^chunklists\/([0-9a-f]{32})\/\d{6}$/.exec(name);
  return m ? m[1]! : null;
}

export const quarantineName = (packId: string): string => `${QUARANTINE_PREFIX}${packId}`;

export function quarantinePackIdOf(name: string): string | null {
  const id = name.slice(QUARANTINE_PREFIX.length);
  return name.startsWith(QUARANTINE_PREFIX) && HEX64.test(id) ? id : null;
}

export const isManifestId = (id: string): boolean => HEX32.test(id);
