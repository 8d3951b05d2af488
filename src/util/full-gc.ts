// A full garbage collection on demand. V8 frees an ArrayBuffer's memory only when a collection
// finds its wrapper dead, and an idle server runs none: after a maintenance at scale 100 the
// server sat at 221 MiB with 55 MB of dead array buffers (gc's fingerprint tables, index files)
// and 61 MB of heap, and the next job's peak started from there (docs/benchmarks.md, "Scale 100
// with the compact gc"). `gc` is exposed to a new context only, so nothing else sees it.
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

let collect: (() => void) | null | undefined;

/** Runs a full collection now (tens of milliseconds for a heap of tens of MB); false where V8 offers none. */
export function collectGarbage(): boolean {
  if (collect === undefined) {
    try {
      setFlagsFromString('--expose-gc');
      const gc = runInNewContext('typeof gc === "function" ? gc : null') as (() => void) | null;
      collect = gc;
    } catch {
      collect = null;
    }
  }
  collect?.();
  return collect !== null;
}
