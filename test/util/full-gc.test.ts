// The collection a worker runs after each task gives the process's memory back, V8's pooled heap
// pages included: after a gc at scale 100 a regular full collection left 99-127 MB of those
// pages resident for as long as the server stayed idle. Each case runs in a fresh process, so
// that its RSS is its own.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { test } from 'node:test';

const MiB = 2 ** 20;
const moduleUrl = new URL('../../src/util/full-gc.ts', import.meta.url).href;

/** RSS (MiB over the start) with ~100 MB of objects held, and after they are dropped and `collect` ran. */
function measure(collect: 'pages' | 'regular'): { grew: number; after: number } {
  const script = `
    import { collectGarbage } from ${JSON.stringify(moduleUrl)};
    const rss = () => process.memoryUsage().rss;
    collectGarbage();
    const base = rss();
    let held = [];
    for (let i = 0; i < 500_000; i++) held.push({ i, s: 'chunk ' + i + ' '.repeat(40) + i });
    const grew = rss() - base;
    held = null;
    collectGarbage(${collect === 'pages'});
    await new Promise((r) => setTimeout(r, 300));
    console.log(JSON.stringify({ grew: grew / ${MiB}, after: (rss() - base) / ${MiB} }));`;
  const out = execFileSync(process.execPath, ['--max-semi-space-size=2', '--input-type=module', '-e', script], { encoding: 'utf8' });
  return JSON.parse(out) as { grew: number; after: number };
}

test('a collection gives back the heap pages of objects dropped, where a regular one keeps them pooled', (t) => {
  const regular = measure('regular');
  const pages = measure('pages');
  t.diagnostic(`regular ${JSON.stringify(regular)}, the worker's ${JSON.stringify(pages)}`);
  assert.ok(regular.grew >= 60 && pages.grew >= 60, `the objects took ${regular.grew.toFixed(1)} / ${pages.grew.toFixed(1)} MiB`);
  // The control: a regular full collection frees the objects but V8 keeps their pages.
  assert.ok(regular.after >= 0.5 * regular.grew, `a regular collection kept ${regular.after.toFixed(1)} of ${regular.grew.toFixed(1)} MiB`);
  assert.ok(pages.after < 0.25 * pages.grew, `the worker's collection kept ${pages.after.toFixed(1)} of ${pages.grew.toFixed(1)} MiB`);
});
