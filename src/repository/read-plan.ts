// Where a restore reads, planned a window at a time: the chunk list is cut into windows of about
// `windowBytes` of original bytes; the blobs a window needs are grouped by pack, sorted by offset
// and coalesced into ranges, each read once and each blob in it opened once, however many times
// and at however many places of the window its chunks are needed. The stream order survives as
// each chunk's destination in the window. Pure: restore.ts does the reading (docs/benchmarks.md
// on why: the latest recovery point of a repository that has lived for weeks reads its unchanged
// data from packs written weeks apart, and reading it in stream order read and opened the same
// frames again and again in thousands of small reads).

/** A chunk of the stream and where the index says it is. */
export interface PlannedChunk {
  id: string;
  packId: string;
  /** Its blob's offset and stored length in the pack, and its own original length. */
  offset: number;
  length: number;
  rawLength: number;
  /** The parts of its bytes wanted, `[from, to)` in order, when not all of them are (a read of byte ranges of the stream). */
  keep?: [number, number][];
}

/** A chunk to take from a range's blobs, and where its bytes go in the window. */
export interface Pick {
  chunk: PlannedChunk;
  dest: number;
}

/** One read: bytes [start, end) of a pack, and the chunks to take, grouped by blob in pack order. */
export interface RangeRead {
  packId: string;
  start: number;
  end: number;
  picks: Pick[];
}

export interface WindowPlan {
  /** Original bytes of the window, the sum of its chunks' lengths. */
  raw: number;
  /** The window's chunks in stream order. */
  chunks: PlannedChunk[];
  ranges: RangeRead[];
}

export interface RangeLimits {
  /** Bytes between two blobs of a pack that are read rather than split into two reads. */
  gapMax: number;
  /** Largest range (a single blob larger than this is a range of its own). */
  rangeMax: number;
}

/** Plans the reads of one window: `chunks` in stream order. */
export function planWindow(chunks: PlannedChunk[], limits: RangeLimits): WindowPlan {
  const byPack = new Map<string, Pick[]>();
  let raw = 0;
  for (const chunk of chunks) {
    let picks = byPack.get(chunk.packId);
    if (!picks) byPack.set(chunk.packId, (picks = []));
    picks.push({ chunk, dest: raw });
    raw += chunk.rawLength;
  }
  const ranges: RangeRead[] = [];
  for (const [packId, picks] of byPack) {
    // Stable: chunks of one blob keep their stream order, and a blob's picks sit together.
    picks.sort((a, b) => a.chunk.offset - b.chunk.offset);
    let range: RangeRead | null = null;
    for (const pick of picks) {
      const { offset, length } = pick.chunk;
      const end = offset + length;
      if (range && offset < range.end) {
        range.picks.push(pick); // another chunk of the range's last blob
      } else if (range && offset - range.end <= limits.gapMax && end - range.start <= limits.rangeMax) {
        range.picks.push(pick);
        range.end = end;
      } else {
        if (range) ranges.push(range);
        range = { packId, start: offset, end, picks: [pick] };
      }
    }
    if (range) ranges.push(range);
  }
  // Packs in the order the window first needs them, ranges of a pack by offset: the reads of
  // the window's beginning go out first.
  return { raw, chunks, ranges };
}

/**
 * Cuts a stream of chunks into windows of about `windowBytes` original bytes and plans each. A
 * window is not cut between two chunks of one blob (a frame) unless it would grow past
 * `windowBytes * WINDOW_STRETCH`, so a frame needed in one piece is read and opened once; a chunk
 * larger than that is a window of its own.
 */
export async function* planWindows(chunks: AsyncIterable<PlannedChunk>, windowBytes: number, limits: RangeLimits): AsyncGenerator<WindowPlan> {
  let window: PlannedChunk[] = [];
  let raw = 0;
  for await (const chunk of chunks) {
    const last = window[window.length - 1];
    const sameBlob = last !== undefined && last.packId === chunk.packId && last.offset === chunk.offset;
    const full = raw + chunk.rawLength > (sameBlob ? windowBytes * WINDOW_STRETCH : windowBytes);
    if (window.length > 0 && full) {
      yield planWindow(window, limits);
      window = [];
      raw = 0;
    }
    window.push(chunk);
    raw += chunk.rawLength;
  }
  if (window.length > 0) yield planWindow(window, limits);
}

/** How far past its size a window may grow to keep a frame's chunks together. */
export const WINDOW_STRETCH = 1.25;
