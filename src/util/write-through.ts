// A Writable in front of another, for a feed that reuses each buffer once its write completes
// (repository restoreInto): each buffer, as `map` makes it, is written to `out`, and a write
// completes only when `out` has written it. Ending it writes what `flush` gives, ends `out` and
// finishes once `out` has finished; destroying it before then destroys `out`; an error of `out` destroys it
// too, so a listener on it hears both. `map` may hold bytes back (return null) but must copy
// what it keeps: the buffer it is given is reused after its write completes.
import { Writable } from 'node:stream';
import { finished } from 'node:stream/promises';

export function writeThrough(out: Writable, map: (chunk: Buffer) => Buffer | null, flush?: () => Buffer | null): Writable {
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      let next: Buffer | null;
      try {
        next = map(chunk);
      } catch (e) {
        return done(e as Error);
      }
      if (next === null) done();
      else out.write(next, done);
    },
    final(done) {
      let last: Buffer | null;
      try {
        last = flush?.() ?? null;
      } catch (e) {
        return done(e as Error);
      }
      if (last) out.write(last);
      out.end();
      finished(out, { readable: false }).then(() => done(), done);
    },
    destroy(err, done) {
      // After a normal finish (autoDestroy), `out` is left alone: a reader that has not yet taken
      // what `out` holds (an upload still opening) must still get it.
      if (err || !sink.writableFinished) out.destroy();
      done(err);
    },
  });
  out.on('error', (e) => sink.destroy(e));
  return sink;
}
