// A recovery point copied, object by object, from one repository's storage into another storage
// (a geo-redundant vault's copy in its paired region): the copy is the same repository, so the
// master key alone opens it there, with no other region's help. Objects go in the order that keeps
// the copy a valid repository at every step: the config (its keys) and its copy first, then every
// pack the source has and the copy lacks, then the index files, then the point's chunk list and
// last its manifest: a manifest in the copy means everything it needs is there. Notes (VaultStore's
// soft-deleted instances) follow, made equal to the source's.
//
// Each object is checked before it is sent (an index file against its name's SHA-256, a pack
// against its name: packMatchesName), and read back after (the same SHA-256 as what was sent), so
// damage in either region is never copied silently. Puts are atomic, so an object the copy holds
// with the source's size is complete: a copy interrupted anywhere and run again sends only what
// is missing. Both repositories are held with a shared lock while it runs, so neither's garbage
// collection removes a pack between its listing and its copy.
import { createHash } from 'node:crypto';
import { errors } from '../domain/errors.ts';
import type { Storage } from '../storage/storage.ts';
import { isNotFound } from '../storage/storage.ts';
import type { Clock } from '../util/clock.ts';
import { CONFIG_COPY_NAME } from './config-copies.ts';
import { listAll, mapLimit } from './io.ts';
import { CHUNKLIST_PREFIX, CONFIG_NAME, INDEX_PREFIX, indexIdOf, manifestName, NOTE_PREFIX, PACK_PREFIX, packIdOf } from './layout.ts';
import { RepositoryLocks, type LockOptions } from './locks.ts';
import { packMatchesName } from './pack.ts';

export interface ReplicationReport {
  /** Objects written to the copy by this run. */
  objectsCopied: number;
  /** Their bytes. */
  bytesCopied: number;
  /** Objects the copy already held (sent by an earlier run). */
  objectsPresent: number;
  /** Notes the copy held that the source no longer has, removed. */
  notesRemoved: number;
}

export interface ReplicationOptions {
  clock: Clock;
  locks?: LockOptions;
}

const sha256 = (data: Buffer): string => createHash('sha256').update(data).digest('hex');

/** Objects that may be replaced in place (so a same-size object may still differ): compared byte for byte. */
const isMutable = (name: string): boolean => name === CONFIG_NAME || name === CONFIG_COPY_NAME || name.startsWith(NOTE_PREFIX);

/**
 * Copies what `manifestId` needs from `source` into `target` (see above). Fails, having copied
 * what it had, when the source lacks the manifest or holds a damaged object, or when an object
 * read back from the target differs from what was sent.
 */
export async function replicateManifest(source: Storage, target: Storage, manifestId: string, opts: ReplicationOptions): Promise<ReplicationReport> {
  const holder = `geo-redundant copy of manifest ${manifestId}`;
  return new RepositoryLocks(source, opts.clock, opts.locks).with('shared', holder, () =>
    new RepositoryLocks(target, opts.clock, opts.locks).with('shared', holder, () => copyAll(source, target, manifestId)));
}

async function copyAll(source: Storage, target: Storage, manifestId: string): Promise<ReplicationReport> {
  const report: ReplicationReport = { objectsCopied: 0, bytesCopied: 0, objectsPresent: 0, notesRemoved: 0 };
  try {
    await source.stat(manifestName(manifestId));
  } catch (e) {
    if (isNotFound(e)) throw errors.repositoryManifestNotFound(manifestId);
    throw e;
  }
  const have = new Map((await listAll(target, '')).map((o) => [o.name, o.size]));
  const limit = Math.max(1, Math.min(source.properties.maxConcurrency, target.properties.maxConcurrency));
  const step = async (names: { name: string; size: number }[]): Promise<void> => {
    await mapLimit(names, limit, async ({ name, size }) => {
      if (have.get(name) === size && !isMutable(name)) {
        report.objectsPresent++;
        return;
      }
      const data = await source.get(name);
      checkSource(name, data);
      if (isMutable(name) && have.get(name) === data.length && sha256(await target.get(name)) === sha256(data)) {
        report.objectsPresent++;
        return;
      }
      await target.put(name, data);
      const back = await target.get(name);
      if (sha256(back) !== sha256(data)) throw errors.geoCopyMismatch(name, target.displayName);
      report.objectsCopied++;
      report.bytesCopied += data.length;
    });
  };
  const configs = (await listAll(source, CONFIG_NAME)).filter((o) => o.name === CONFIG_NAME || o.name === CONFIG_COPY_NAME);
  // config before config-copy, as the repository writes them.
  await step(configs.filter((o) => o.name === CONFIG_NAME));
  await step(configs.filter((o) => o.name === CONFIG_COPY_NAME));
  await step(await listAll(source, PACK_PREFIX));
  await step(await listAll(source, INDEX_PREFIX));
  await step(await listAll(source, `${CHUNKLIST_PREFIX}${manifestId}/`));
  await step([await source.stat(manifestName(manifestId))]);
  const notes = await listAll(source, NOTE_PREFIX);
  await step(notes);
  const kept = new Set(notes.map((n) => n.name));
  for (const name of have.keys()) {
    if (name.startsWith(NOTE_PREFIX) && !kept.has(name)) {
      await target.delete(name);
      report.notesRemoved++;
    }
  }
  return report;
}

/** An object whose name pins its bytes (packs, index files) must match it before it is copied anywhere. */
function checkSource(name: string, data: Buffer): void {
  const pack = packIdOf(name);
  if (pack !== null && !packMatchesName(pack, data)) throw errors.repositoryDataCorrupt(`The pack ${pack} does not match its name; it was not copied to the paired region.`);
  const index = indexIdOf(name);
  if (index !== null && sha256(data) !== index) throw errors.repositoryDataCorrupt(`The index file ${index} does not match its name; it was not copied to the paired region.`);
}
