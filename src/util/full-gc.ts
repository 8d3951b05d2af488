// A full garbage collection on demand. V8 frees an ArrayBuffer's memory only when a collection
// finds its wrapper dead, and an idle server runs none: after a maintenance at scale 100 the
// server sat at 221 MiB with 55 MB of dead array buffers (gc's fingerprint tables, index files)
// and 61 MB of heap, and the next job's peak started from there (docs/benchmarks.md, "Scale 100
// with the compact gc"). `gc` is exposed to a new context only, so nothing else sees it.
//
// The collection is V8's last-resort flavour (what a low-memory notification runs): it also gives
// back the heap pages V8 keeps pooled after the heap shrinks, which a regular full collection
// keeps. Measured on a 867,000-chunk repository: after gc's plan, a regular collection left the
// process at 180-207 MiB, 99-127 MB of it 256 KiB pages of V8's pool; this one, at 85 MiB.
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

type Gc = (opts?: { type: 'major'; execution: 'sync'; flavor: 'last-resort' | 'regular' }) => void;
let collect: Gc | null | undefined;

/**
 * Runs a full collection now (tens of milliseconds for a heap of tens of MB); false where V8 offers
 * none. `pages`: give back V8's pooled pages too (the default); a pass that only wants its dead
 * objects and buffers gone sooner than V8 would collect them passes false.
 */
export function collectGarbage(pages = true): boolean {
  if (collect === undefined) {
    try {
      setFlagsFromString('--expose-gc');
      const gc = runInNewContext('typeof gc === "function" ? gc : null') as Gc | null;
      collect = gc;
    } catch {
      collect = null;
    }
  }
  collect?.({ type: 'major', execution: 'sync', flavor: pages ? 'last-resort' : 'regular' });
  return collect !== null;
}

let rssAfterLast = 0;

/**
 * A collection as collectGarbage's when the process's RSS has grown by more than `bytes` since the
 * last one this ran: after a task that held tens of MB (a backup, a restore, a maintenance), not
 * after each of the many small ones of a busy worker, for which a memory-reducing collection would
 * be pure cost (~85 ms on a 44 MB heap, twice a regular one's). True if it collected.
 */
export function collectIfGrown(bytes: number): boolean {
  if (process.memoryUsage.rss() <= rssAfterLast + bytes) return false;
  const ran = collectGarbage();
  rssAfterLast = process.memoryUsage.rss();
  return ran;
}

/**
 * For a pass that reads a large repository piece by piece: call the result with how many units
 * (ids, index entries) each piece held; every `every` units (default 2^17, some 4-6 MB of index
 * entries or chunk ids read) it runs a regular full collection.
 * Each piece leaves dead buffers (read, then decrypted) and dead objects (decoded ids) that V8
 * would let pile up to ~100 MB before collecting on its own: gc's mark and its passes over the
 * index files at 1.2 million chunks peaked at 110 MB of array buffers and 110-140 MB of heap
 * without it, 30-60 MB with it, for no measurable time (docs/benchmarks.md, "The maintenance after
 * a backup, found").
 */
export function collectEvery(every = 1 << 17): (units: number) => void {
  let passed = 0;
  return (units) => {
    passed += units;
    if (passed < every) return;
    passed = 0;
    collectGarbage(false);
  };
}
