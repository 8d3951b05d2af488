// Quarantine: what the repository knows to be damaged. One record per damaged pack, written by
// whoever finds the damage (verify, a backup that finds a pack missing or truncated, repair), at
// `quarantine/<pack id>`: the problem, when it was found, and the chunks of that pack that cannot
// be read ("lost"). The index leaves every lost chunk's copy in that pack out (chunk-index.ts
// `buildIndex`), so no backup deduplicates against it: the next backup stores the chunk again, and
// a restore that needs a chunk with no other copy fails at once, naming the pack. A record stays
// after repair has salvaged and removed its pack, so restores of points that need a lost chunk
// still name where it was; repair drops a record once every lost chunk has a good copy again.
import type { Storage } from '../storage/storage.ts';
import { isNotFound } from '../storage/storage.ts';
import { seal, unseal } from './crypto.ts';
import { listAll, mapLimit } from './io.ts';
import { packName, QUARANTINE_PREFIX, quarantineName, quarantinePackIdOf } from './layout.ts';

export interface QuarantineRecord {
  version: 1;
  packId: string;
  /** What is wrong with the pack, in words (names no key). */
  problem: string;
  /** ISO 8601, from the repository's clock. */
  detectedAt: string;
  /** Chunks whose copy in this pack cannot be read. */
  lost: string[];
  /** Whether the pack cannot be read as a whole (missing, truncated, removed by repair): all it held is in `lost`. */
  packGone: boolean;
}

const aad = (packId: string): Buffer => Buffer.from(`dpvault-quarantine-v1:${packId}`);

/** The quarantine of one repository, as read from storage. */
export class Quarantine {
  readonly #records = new Map<string, { record: QuarantineRecord; lost: Set<string> }>();
  /** Lost chunk id → the pack it was lost in (the latest record read wins). */
  readonly #lost = new Map<string, string>();
  /** Records that did not read (named; repair writes them again from what it finds). */
  readonly damaged: string[];

  constructor(records: Iterable<QuarantineRecord> = [], damaged: string[] = []) {
    for (const r of records) this.set(r);
    this.damaged = damaged;
  }

  set(record: QuarantineRecord): void {
    this.#records.set(record.packId, { record, lost: new Set(record.lost) });
    for (const id of record.lost) this.#lost.set(id, record.packId);
  }

  get size(): number {
    return this.#records.size;
  }

  records(): QuarantineRecord[] {
    return [...this.#records.values()].map((r) => r.record);
  }

  get(packId: string): QuarantineRecord | undefined {
    return this.#records.get(packId)?.record;
  }

  /** Whether the copy of chunk `id` in pack `packId` is known to be unreadable. */
  isLostIn(id: string, packId: string): boolean {
    return this.#records.get(packId)?.lost.has(id) === true;
  }

  /** The pack where chunk `id` was lost, if it was. */
  lostPackOf(id: string): string | undefined {
    return this.#lost.get(id);
  }

  /** Forgets a record (its pack was found whole again, or repair saved everything it lost). */
  delete(packId: string): void {
    const r = this.#records.get(packId);
    if (!r) return;
    this.#records.delete(packId);
    for (const id of r.lost) if (this.#lost.get(id) === packId) this.#lost.delete(id);
  }

  /** A phrase naming the pack where chunk `id` was lost and why, or null if it was not. */
  describe(id: string): string | null {
    const packId = this.#lost.get(id);
    if (!packId) return null;
    const r = this.#records.get(packId)!.record;
    return `pack ${packName(packId)} (quarantined ${r.detectedAt}: ${r.problem})`;
  }
}

export async function readQuarantine(storage: Storage, dataKey: Buffer): Promise<Quarantine> {
  const ids = (await listAll(storage, QUARANTINE_PREFIX)).map((o) => quarantinePackIdOf(o.name)).filter((id): id is string => id !== null);
  const damaged: string[] = [];
  const records = await mapLimit(ids, storage.properties.maxConcurrency, async (packId) => {
    let data: Buffer;
    try {
      data = await storage.get(quarantineName(packId));
    } catch (e) {
      if (isNotFound(e)) return null;
      throw e;
    }
    const body = unseal(dataKey, data, aad(packId));
    if (!body) {
      damaged.push(quarantineName(packId));
      return null;
    }
    return JSON.parse(body.toString('utf8')) as QuarantineRecord;
  });
  return new Quarantine(records.filter((r): r is QuarantineRecord => r !== null), damaged);
}

export async function writeQuarantineRecord(storage: Storage, dataKey: Buffer, record: QuarantineRecord): Promise<void> {
  await storage.put(quarantineName(record.packId), seal(dataKey, [Buffer.from(JSON.stringify(record))], aad(record.packId)));
}

export async function removeQuarantineRecord(storage: Storage, packId: string): Promise<void> {
  await storage.delete(quarantineName(packId));
}

/**
 * Merges new findings about a pack into its record (lost chunks add up; the latest problem is
 * appended when it differs).
 */
export function mergeRecord(prev: QuarantineRecord | undefined, next: QuarantineRecord): QuarantineRecord {
  if (!prev) return next;
  const lost = [...new Set([...prev.lost, ...next.lost])];
  const problem = prev.problem.includes(next.problem) ? prev.problem : `${prev.problem}; ${next.problem}`;
  return { version: 1, packId: next.packId, problem, detectedAt: prev.detectedAt, lost, packGone: prev.packGone || next.packGone };
}
