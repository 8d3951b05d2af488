// Where a custom-format archive's data lies (recorded by the key-ordered dump as it writes it),
// so that a restore can read each big table's data block on its own and load several tables at
// once (parallel-restore.ts). Pure.

/**
 * Offsets are bytes of the archive stream: the head (header and TOC) is `[0, dataStart)`; each of
 * `blocks` is one table's whole data block; `[restStart, end)` holds every other data block, in
 * TOC order (pg_dump's own). A block's `cuts` (ascending, inside it) are where a row's piece
 * starts, about every few MiB: the block's rows before a cut, with a block end added, and those
 * after it, behind a block start, are each a whole data block of the same table.
 */
export interface ArchiveLayout {
  dataStart: number;
  blocks: { dumpId: number; start: number; end: number; cuts?: number[] }[];
  restStart: number;
  end: number;
}

/** Whether `cuts` is an array of whole numbers, strictly ascending, each strictly between `start` and `end`. */
function ascendingWithin(cuts: unknown, start: number, end: number): boolean {
  if (!Array.isArray(cuts)) return false;
  let last = start;
  for (const c of cuts) {
    if (!Number.isSafeInteger(c) || c <= last || c >= end) return false;
    last = c;
  }
  return true;
}

/**
 * The layout if it describes an archive of `size` bytes consistently (parts in order, end to
 * end, cuts inside their blocks, none outside it), else null: a restore then reads the archive as one stream.
 */
export function checkedLayout(layout: unknown, size: number): ArchiveLayout | null {
  if (!layout || typeof layout !== 'object') return null;
  const l = layout as ArchiveLayout;
  const whole = (n: unknown): n is number => Number.isSafeInteger(n) && (n as number) >= 0;
  if (!whole(l.dataStart) || !whole(l.restStart) || !whole(l.end) || !Array.isArray(l.blocks)) return null;
  if (l.end !== size || l.dataStart <= 0 || l.restStart > l.end) return null;
  let at = l.dataStart;
  const ids = new Set<number>();
  for (const b of l.blocks) {
    if (!b || !whole(b.dumpId) || !whole(b.start) || !whole(b.end) || b.start !== at || b.end <= b.start || ids.has(b.dumpId)) return null;
    if (b.cuts !== undefined && !ascendingWithin(b.cuts, b.start, b.end)) return null;
    ids.add(b.dumpId);
    at = b.end;
  }
  return at === l.restStart ? l : null;
}
