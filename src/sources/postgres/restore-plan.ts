// How a parallel restore (parallel-restore.ts) splits an archive's TOC among its pg_restore
// runs. Pure: the TOC in, `-L` lists out. pg_restore's `--section` counts an entry of no section
// of its own (an ACL, a COMMENT) as part of the section of the entries before it
// (_tocEntryRequired's curSection); the data-section entries are dealt to the workers in
// archive order, one each in turn, so neighbouring tables (the ones whose bytes pass by at about
// the same time) load in different sessions. The TOC holds no sizes (a streamed archive has no
// data offsets), so archive order is the only measure of where a table's bytes lie.
import type { ArchiveLayout } from '../../domain/archive-layout.ts';
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

/** One session of a ranged restore (ranged-restore.ts): its `-L` list, the archive's byte ranges it reads, in order, and their size. */
export interface RangedSession {
  ids: number[];
  ranges: [number, number][];
  bytes: number;
}

/**
 * Deals an archive's data among sessions that each read only their own bytes. The units are each
 * big table's data block (`layout.blocks`) and the rest: pg_dump's own data blocks, one range, with
 * every other data-section entry (those without data of their own too). The largest unit goes
 * first, each to the session with the fewest bytes so far; a session's units are then put back
 * in archive order, so its stream and its list both go forwards (a stream is read only forwards,
 * and `-L` restores in the list's order). At most `workers` sessions, none empty. Throws if a
 * block of the layout is not a data entry of the TOC.
 */
export function rangedSessions(entries: readonly TocEntry[], layout: ArchiveLayout, workers: number): RangedSession[] {
  const sections = effectiveSections(entries);
  const data = entries.filter((e) => sections.get(e.dumpId) === SECTION.data);
  const loads = new Set(data.filter((e) => e.hadDumper).map((e) => e.dumpId));
  const inBlocks = new Set(layout.blocks.map((b) => b.dumpId));
  for (const id of inBlocks) if (!loads.has(id)) throw new Error(`the layout's data block ${id} is not a table's data in the archive's table of contents`);
  const units = layout.blocks.map((b) => ({ ids: [b.dumpId], start: b.start, end: b.end }));
  const rest = data.filter((e) => !inBlocks.has(e.dumpId)).map((e) => e.dumpId);
  if (rest.length > 0 || layout.end > layout.restStart) units.push({ ids: rest, start: layout.restStart, end: layout.end });
  const n = Math.max(1, Math.min(Math.floor(workers), units.length));
  const sessions = Array.from({ length: n }, () => ({ units: [] as typeof units, bytes: 0 }));
  for (const u of [...units].sort((a, b) => b.end - b.start - (a.end - a.start))) {
    const least = sessions.reduce((m, s) => (s.bytes < m.bytes ? s : m));
    least.units.push(u);
    least.bytes += u.end - u.start;
  }
  return sessions
    .filter((s) => s.units.length > 0)
    .map((s) => {
      const ordered = s.units.sort((a, b) => a.start - b.start);
      const ranges: [number, number][] = [];
      for (const u of ordered) {
        if (u.end <= u.start) continue;
        const last = ranges[ranges.length - 1];
        if (last && last[1] === u.start) last[1] = u.end;
        else ranges.push([u.start, u.end]);
      }
      return { ids: ordered.flatMap((u) => u.ids), ranges, bytes: s.bytes };
    });
}

/** How many units a ranged restore of `layout` could deal out (rangedSessions): a parallel load needs two. */
export function rangedUnits(layout: ArchiveLayout): number {
  return layout.blocks.length + (layout.end > layout.restStart ? 1 : 0);
}
