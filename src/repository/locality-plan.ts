// The decision half of the locality repack, with no I/O: how scattered a recovery point's reads
// are, and which of its blobs to copy, in stream order, into new packs so that a restore of it
// reads long runs of contiguous blobs. A *run* is what a reader fetches in one go: consecutive
// chunks of the stream in one pack, each in the blob before it (a frame) or in a blob further on
// at most RUN_GAP bytes after it. The stream is cut into windows of about `windowBytes` of stored
// blobs; a window whose runs are short on average (below `minRunBytes`) and that a rewrite would
// read in fewer runs is scattered, and the most scattered windows (runs saved per byte written)
// are rewritten whole, within the byte budget.
/** Bytes between two blobs of one pack that a reader reads through rather than starting anew. */
export const RUN_GAP = 256 * 1024;
const GIB = 1024 ** 3;

/**
 * One chunk of a stream, in stream order, where the index locates it (its id is not kept: a
 * stream of 700,000 chunks, 5.7 GB at 8 KiB, is about 45 MB of these).
 */
export interface StreamItem {
  packId: string;
  /** Its blob's offset and stored length in the pack. */
  offset: number;
  length: number;
  rawLength: number;
}

export interface LocalityMeasure {
  chunks: number;
  /** Bytes of the stream (original). */
  rawBytes: number;
  /** Stored bytes of the distinct blobs the stream reads. */
  storedBytes: number;
  packs: number;
  runs: number;
  /** Distinct packs and runs per GiB of stream. */
  packsPerGiB: number;
  runsPerGiB: number;
}

/** Whether `next` continues the run that `last` (the previous chunk of the stream) is in. */
function continues(last: StreamItem, runEnd: number, next: StreamItem): boolean {
  if (last.packId !== next.packId) return false;
  if (last.offset === next.offset) return true;
  return next.offset >= runEnd && next.offset - runEnd <= RUN_GAP;
}

/** The runs of a stream: index ranges [start, end) into `items`. */
export function runsOf(items: readonly StreamItem[]): { start: number; end: number }[] {
  const runs: { start: number; end: number }[] = [];
  let runEnd = 0;
  for (let i = 0; i < items.length; i++) {
    const it = items[i]!;
    if (i > 0 && continues(items[i - 1]!, runEnd, it)) {
      runEnd = Math.max(runEnd, it.offset + it.length);
      runs[runs.length - 1]!.end = i + 1;
    } else {
      runs.push({ start: i, end: i + 1 });
      runEnd = it.offset + it.length;
    }
  }
  return runs;
}

export const blobKey = (it: { packId: string; offset: number }): string => `${it.packId}:${it.offset}`;

function storedBytesOf(items: readonly StreamItem[]): number {
  const seen = new Set<string>();
  let n = 0;
  for (const it of items) {
    const k = blobKey(it);
    if (seen.has(k)) continue;
    seen.add(k);
    n += it.length;
  }
  return n;
}

export function measureLocality(items: readonly StreamItem[]): LocalityMeasure {
  const rawBytes = items.reduce((n, it) => n + it.rawLength, 0);
  const packs = new Set(items.map((it) => it.packId)).size;
  const runs = runsOf(items).length;
  const gib = Math.max(rawBytes, 1) / GIB;
  return { chunks: items.length, rawBytes, storedBytes: storedBytesOf(items), packs, runs, packsPerGiB: packs / gib, runsPerGiB: runs / gib };
}

export interface LocalityPlanInput {
  items: readonly StreamItem[];
  /** Packs whose blobs may be copied (not quarantined, listed by the index files read). */
  eligible: (packId: string) => boolean;
  /** Bytes the copy may write at most. */
  budget: number;
  /** Stored bytes per window (the size of a pack is a good choice). */
  windowBytes: number;
  /** A window is scattered when its stored bytes per run fall below this. */
  minRunBytes: number;
  /** Blobs another stream's plan already copies (not counted again, not copied twice). */
  taken?: ReadonlySet<string>;
}

/** A blob to copy: where it is; its chunks come from its pack's record. */
export interface BlobRef {
  packId: string;
  offset: number;
  length: number;
}

export interface LocalityPlan {
  /** Blobs to copy, each once, in the order the stream first reads them. */
  blobs: BlobRef[];
  bytes: number;
  windows: number;
  scatteredWindows: number;
}

interface Window {
  start: number;
  end: number;
  blobs: BlobRef[];
  bytes: number;
  runs: number;
}

/** Cuts the stream into windows of about `windowBytes` stored bytes, between blobs. */
function windowsOf(input: LocalityPlanInput): Window[] {
  const { items, windowBytes } = input;
  const windows: Window[] = [];
  let cur: Window | null = null;
  let seen = new Set<string>();
  for (let i = 0; i < items.length; i++) {
    const it = items[i]!;
    const k = blobKey(it);
    if (!cur || (cur.bytes >= windowBytes && !seen.has(k))) {
      if (cur) windows.push(cur);
      cur = { start: i, end: i, blobs: [], bytes: 0, runs: 0 };
      seen = new Set();
    }
    cur.end = i + 1;
    if (seen.has(k)) continue;
    seen.add(k);
    if (input.taken?.has(k) || !input.eligible(it.packId)) continue;
    cur.blobs.push({ packId: it.packId, offset: it.offset, length: it.length });
    cur.bytes += it.length;
  }
  if (cur) windows.push(cur);
  for (const w of windows) w.runs = runsOf(items.slice(w.start, w.end)).length;
  return windows;
}

/**
 * The runs of a window once its blobs are rewritten: its copied blobs laid end to end in a new
 * pack in the order it first reads them, the others where they are. Chunks read twice (data
 * repeated in the stream) still step back, so a rewrite does not always help: it is chosen only
 * where this count is lower.
 */
function runsAfterRewrite(items: readonly StreamItem[], w: Window): number {
  const moved = new Map<string, number>();
  let at = 0;
  for (const b of w.blobs) {
    moved.set(blobKey(b), at);
    at += b.length;
  }
  const mapped = items.slice(w.start, w.end).map((it) => {
    const offset = moved.get(blobKey(it));
    return offset === undefined ? it : { ...it, packId: '', offset };
  });
  return runsOf(mapped).length;
}

export function planLocality(input: LocalityPlanInput): LocalityPlan {
  const windows = windowsOf(input);
  const after = new Map<Window, number>();
  for (const w of windows) if (w.bytes > 0 && w.bytes / w.runs < input.minRunBytes) after.set(w, runsAfterRewrite(input.items, w));
  // A run that went on across a window's edge is cut there once the window moves: one more each.
  const items = input.items;
  const joins = (i: number): number => (i > 0 && i < items.length && runsOf(items.slice(i - 1, i + 1)).length === 1 ? 1 : 0);
  const saved = (w: Window): number => w.runs - after.get(w)! - joins(w.start) - joins(w.end);
  const scattered = windows.filter((w) => after.has(w) && saved(w) > 0);
  const gain = (w: Window): number => saved(w) / w.bytes;
  const chosen = new Set<Window>();
  let bytes = 0;
  for (const w of [...scattered].sort((a, b) => gain(b) - gain(a) || a.start - b.start)) {
    if (bytes + w.bytes > input.budget) continue;
    chosen.add(w);
    bytes += w.bytes;
  }
  // A blob read by two windows (a frame across their boundary) is copied once, where first read.
  const blobs: BlobRef[] = [];
  const once = new Set<string>();
  for (const b of windows.filter((w) => chosen.has(w)).flatMap((w) => w.blobs)) {
    if (once.has(blobKey(b))) continue;
    once.add(blobKey(b));
    blobs.push(b);
  }
  return { blobs, bytes: blobs.reduce((n, b) => n + b.length, 0), windows: windows.length, scatteredWindows: scattered.length };
}
