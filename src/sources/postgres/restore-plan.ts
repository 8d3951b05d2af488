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

/**
 * What a session of a ranged restore feeds its pg_restore after the head, in order: byte ranges of
 * the archive (read by one read), or a data block's start or end that the archive does not have
 * there, because the session has only part of a table's block (`blockStart`: the block header of
 * that dump id; `blockEnd`: the end of a block's data, as the dump writes it).
 */
export type SessionStep = { read: [number, number][] } | { blockStart: number } | { blockEnd: true };

/** One session of a ranged restore (ranged-restore.ts): its `-L` list, what it is fed, and how many of the archive's bytes it reads. */
export interface RangedSession {
  ids: number[];
  steps: SessionStep[];
  bytes: number;
}

/** A share of the archive's data a session reads: a whole block, part of one (`block` set), or the rest. */
interface Unit {
  ids: number[];
  start: number;
  end: number;
  /** The table's whole block, when this unit is (part of) one. */
  block?: ArchiveLayout['blocks'][number];
}

interface Dealt {
  units: Unit[];
  bytes: number;
}

/**
 * A split is made only if it takes at least this share of all the data off the heaviest session:
 * a table in two sessions costs a second COPY and a shared relation.
 */
const MIN_SPLIT_GAIN = 1 / 50;

/**
 * Moves the tail of one of the heaviest session's tables, from one of its recorded cut points, to
 * the lightest session (which must have no part of that table), choosing the cut that leaves the
 * lower peak; false if no split gains enough.
 */
function splitOnce(sessions: Dealt[], total: number): boolean {
  const heavy = sessions.reduce((m, s) => (s.bytes > m.bytes ? s : m));
  const light = sessions.reduce((m, s) => (s.bytes < m.bytes ? s : m));
  if (heavy === light) return false;
  let best: { unit: Unit; cut: number; peak: number } | null = null;
  for (const unit of heavy.units) {
    const block = unit.block;
    if (!block?.cuts || light.units.some((u) => u.block?.dumpId === block.dumpId)) continue;
    for (const cut of block.cuts) {
      if (cut <= unit.start || cut >= unit.end) continue;
      const moved = unit.end - cut;
      const peak = Math.max(heavy.bytes - moved, light.bytes + moved);
      if (!best || peak < best.peak) best = { unit, cut, peak };
    }
  }
  if (!best || heavy.bytes - best.peak < Math.max(1, total * MIN_SPLIT_GAIN)) return false;
  const { unit, cut } = best;
  const moved = unit.end - cut;
  light.units.push({ ids: unit.ids, start: cut, end: unit.end, block: unit.block });
  light.bytes += moved;
  unit.end = cut;
  heavy.bytes -= moved;
  return true;
}

/** A session's units, in archive order, as the steps that feed it. */
function sessionOf(dealt: Dealt): RangedSession {
  const ordered = dealt.units.sort((a, b) => a.start - b.start);
  const steps: SessionStep[] = [];
  for (const u of ordered) {
    if (u.block && u.start > u.block.start) steps.push({ blockStart: u.block.dumpId });
    if (u.end > u.start) {
      const last = steps.at(-1);
      if (!last || !('read' in last)) steps.push({ read: [[u.start, u.end]] });
      else if (last.read.at(-1)![1] === u.start) last.read.at(-1)![1] = u.end;
      else last.read.push([u.start, u.end]);
    }
    if (u.block && u.end < u.block.end) steps.push({ blockEnd: true });
  }
  return { ids: ordered.flatMap((u) => u.ids), steps, bytes: dealt.bytes };
}

/**
 * Deals an archive's data among sessions that each read only their own bytes. The units are each
 * big table's data block (`layout.blocks`) and the rest: pg_dump's own data blocks, one range, with
 * every other data-section entry (those without data of their own too). The largest unit goes
 * first, each to the session with the fewest bytes so far; then, while the heaviest session could
 * hand the lightest a tail of one of its tables at a recorded cut point (a row boundary,
 * `blocks[].cuts`) and so end markedly sooner, it does: that table loads in both, each part a
 * whole data block of its own (SessionStep). A session's units are then put back in archive order,
 * so its stream and its list both go forwards (a stream is read only forwards, and `-L` restores
 * in the list's order). At most `workers` sessions, none empty. Throws if a block of the layout is
 * not a data entry of the TOC.
 */
export function rangedSessions(entries: readonly TocEntry[], layout: ArchiveLayout, workers: number): RangedSession[] {
  const sections = effectiveSections(entries);
  const data = entries.filter((e) => sections.get(e.dumpId) === SECTION.data);
  const loads = new Set(data.filter((e) => e.hadDumper).map((e) => e.dumpId));
  const inBlocks = new Set(layout.blocks.map((b) => b.dumpId));
  for (const id of inBlocks) if (!loads.has(id)) throw new Error(`the layout's data block ${id} is not a table's data in the archive's table of contents`);
  const units: Unit[] = layout.blocks.map((b) => ({ ids: [b.dumpId], start: b.start, end: b.end, block: b }));
  const rest = data.filter((e) => !inBlocks.has(e.dumpId)).map((e) => e.dumpId);
  if (rest.length > 0 || layout.end > layout.restStart) units.push({ ids: rest, start: layout.restStart, end: layout.end });
  const n = Math.max(1, Math.min(Math.floor(workers), rangedUnits(layout)));
  const sessions: Dealt[] = Array.from({ length: n }, () => ({ units: [], bytes: 0 }));
  for (const u of [...units].sort((a, b) => b.end - b.start - (a.end - a.start))) {
    const least = sessions.reduce((m, s) => (s.bytes < m.bytes ? s : m));
    least.units.push(u);
    least.bytes += u.end - u.start;
  }
  const total = layout.end - layout.dataStart;
  for (let i = 0; i < 4 * n && splitOnce(sessions, total); i++);
  return sessions.filter((s) => s.units.length > 0).map(sessionOf);
}

/** How many parts a ranged restore of `layout` could deal out (rangedSessions: blocks, the parts their cuts make, the rest): a parallel load needs two. */
export function rangedUnits(layout: ArchiveLayout): number {
  return layout.blocks.reduce((n, b) => n + 1 + (b.cuts?.length ?? 0), 0) + (layout.end > layout.restStart ? 1 : 0);
}
