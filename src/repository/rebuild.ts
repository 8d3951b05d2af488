// Rebuilding the index from the packs alone (for `dpvault vault recover` and after index damage):
// every pack's trailer is read and authenticated, the records are written as fresh index files,
// and only then are the old index files removed. Packs whose trailer fails are reported and left.
import type { Storage } from '../storage/storage.ts';
import { writeIndexFile } from './chunk-index.ts';
import { INDEX_PREFIX, indexIdOf, indexName, PACK_PREFIX, packIdOf, packName } from './layout.ts';
import { listAll, mapLimit } from './io.ts';
import { readTrailer } from './pack.ts';
import type { PackRecord } from './pack.ts';

/** Packs per rebuilt index file. */
const PACKS_PER_FILE = 4096;

export interface RebuildReport {
  packs: number;
  chunks: number;
  indexFilesWritten: number;
  indexFilesRemoved: number;
  /** Packs whose trailer could not be read, with the reason. */
  damagedPacks: { pack: string; problem: string }[];
}

export async function rebuildIndex(storage: Storage, dataKey: Buffer): Promise<{ records: PackRecord[]; report: RebuildReport }> {
  const packs = (await listAll(storage, PACK_PREFIX))
    .map((info) => ({ id: packIdOf(info.name), size: info.size }))
    .filter((p): p is { id: string; size: number } => p.id !== null);
  const damagedPacks: RebuildReport['damagedPacks'] = [];
  const found = await mapLimit(packs, storage.properties.maxConcurrency, async (p) => {
    try {
      return { packId: p.id, size: p.size, entries: await readTrailer(storage, dataKey, p.id, p.size) };
    } catch (e) {
      damagedPacks.push({ pack: packName(p.id), problem: e instanceof Error ? e.message : String(e) });
      return null;
    }
  });
  const records = found.filter((r): r is PackRecord => r !== null);
  const before = (await listAll(storage, INDEX_PREFIX)).map((o) => indexIdOf(o.name)).filter((id): id is string => id !== null);
  const written = new Set<string>();
  for (let i = 0; i < records.length; i += PACKS_PER_FILE) {
    written.add(await writeIndexFile(storage, dataKey, records.slice(i, i + PACKS_PER_FILE)));
  }
  const stale = before.filter((id) => !written.has(id));
  await mapLimit(stale, storage.properties.maxConcurrency, (id) => storage.delete(indexName(id)));
  return {
    records,
    report: {
      packs: records.length,
      chunks: records.reduce((n, r) => n + r.entries.length, 0),
      indexFilesWritten: written.size,
      indexFilesRemoved: stale.length,
      damagedPacks,
    },
  };
}

