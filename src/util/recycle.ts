// A stream of Buffers may let its consumer give each one back once done with it, so the producer
// can read over its bytes instead of allocating anew (a dump's socket reads, slab-socket.ts).
// The consumer calls the function at most once per chunk it received, when nothing refers to that
// chunk any more; chunks the producer does not recognise are ignored.

export const RECYCLE = Symbol('dpvault.recycle');

export interface Recyclable {
  [RECYCLE]?: (chunk: Uint8Array) => void;
}

/** The stream's recycle function, if it offers one. */
export function recyclerOf(stream: object): ((chunk: Uint8Array) => void) | null {
  const fn = (stream as Recyclable)[RECYCLE];
  return typeof fn === 'function' ? fn : null;
}
