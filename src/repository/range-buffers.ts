// Buffers for a restore's range reads, shared memory reused from one pool for the whole process.
// A range used to be read into a new buffer (the concatenation of the stream's pieces) and handed
// over to the opening thread, so every byte a restore read became garbage twice, once in each
// thread's isolate, and V8 collects buffers only when the memory they hold outside its heap has
// grown by tens of MB since the last collection: a restore of the latest point of an aged
// repository peaked with ~55 MB of such garbage in the main thread and ~35 MB in the opener
// (docs/benchmarks.md, "A restore's memory on an aged repository, found"). Shared buffers are
// seen by the opener in place, never copied or transferred, and go back to the pool once opened.

/** Smallest buffer handed out: a range's size is rounded up to a power of two from here. */
const MIN_BYTES = 4 * 1024;
/** Bytes of free buffers the pool keeps at most (more are left to the collector). */
const KEEP_BYTES = 16 * 1024 * 1024;

const free = new Map<number, Buffer[]>();
let kept = 0;

function sizeFor(bytes: number): number {
  let size = MIN_BYTES;
  while (size < bytes) size *= 2;
  return size;
}

/** A shared buffer of exactly `bytes` bytes (a view of a pooled one); give it back with giveRangeBuffer. */
export function takeRangeBuffer(bytes: number): Buffer {
  const size = sizeFor(bytes);
  const pooled = free.get(size)?.pop();
  if (pooled) kept -= size;
  return (pooled ?? Buffer.from(new SharedArrayBuffer(size))).subarray(0, bytes);
}

/** Returns a buffer from takeRangeBuffer to the pool; nothing may use it afterwards. */
export function giveRangeBuffer(buf: Buffer): void {
  const size = buf.buffer.byteLength;
  if (!(buf.buffer instanceof SharedArrayBuffer) || size !== sizeFor(size) || kept + size > KEEP_BYTES) return;
  let list = free.get(size);
  if (!list) free.set(size, (list = []));
  list.push(Buffer.from(buf.buffer, 0, size));
  kept += size;
}

/** Bytes of free buffers the pool holds now. */
export function rangeBuffersKept(): number {
  return kept;
}
