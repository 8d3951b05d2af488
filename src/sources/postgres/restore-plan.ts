// How a parallel restore (parallel-restore.ts) splits an archive's TOC among its pg_restore
// runs. Pure: the TOC in, `-L` lists out. pg_restore's `--section` counts an entry of no section
// of its own (an ACL, a COMMENT) as part of the section of the entries before it
// (_tocEntryRequired's curSection); the data-section entries are dealt to the workers in
// archive order, one each in turn, so neighbouring tables (the ones whose bytes pass by at about
// the same time) load in different sessions. The TOC holds no sizes (a streamed archive has no
// data offsets), so archive order is the only measure of where a table's bytes lie.
import { SECTION, type TocEntry } from './archive-toc.ts';

/** Each entry's section as `pg_restore --section` counts it. */
export function effectiveSections(entries: readonly TocEntry[]): Map<number, number> {
  const out = new Map<number, number>();
  let current: number = SECTION.preData;
  for (const e of entries) {
    if (e.section !== SECTION.none) current = e.section;
    out.set(e.dumpId, current);
  }
  return out;
}

/**
 * The dump ids each data worker restores, in archive order (pg_restore -L restores in the
 * list's order, and a streamed archive can only be read forwards). At most `workers` lists,
 * none empty; entries without data of their own go with the first list.
 */
export function dataWorkerLists(entries: readonly TocEntry[], workers: number): number[][] {
  const sections = effectiveSections(entries);
  const data = entries.filter((e) => sections.get(e.dumpId) === SECTION.data);
  const loads = data.filter((e) => e.hadDumper);
  const n = Math.max(1, Math.min(Math.floor(workers), loads.length));
  const lists: number[][] = Array.from({ length: n }, () => []);
  let next = 0;
  for (const e of data) {
    if (!e.hadDumper) lists[0]!.push(e.dumpId);
    else lists[next++ % n]!.push(e.dumpId);
  }
  return lists.filter((l) => l.length > 0);
}

/** A pg_restore `-L` list: one dump id a line. */
export function listFileText(ids: readonly number[]): string {
  return ids.map((id) => `${id}\n`).join('');
}
