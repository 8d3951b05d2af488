// Writing a stream of buffers into a Writable, waiting whenever it asks to. A sink that fails or
// closes while the feed waits (a pg_restore that stopped reading) ends the wait with an error,
// so a feed never hangs on a 'drain' that cannot come.
import type { Writable } from 'node:stream';

function drained(sink: Writable): Promise<void> {
  return new Promise((resolve, reject) => {
    const done = (e?: unknown) => {
      sink.off('drain', onDrain).off('error', onError).off('close', onClose);
      if (e) reject(e);
      else resolve();
    };
    const onDrain = () => done();
    const onError = (e: unknown) => done(e ?? new Error('The stream failed.'));
    const onClose = () => done(new Error('The stream was closed before it took everything.'));
    sink.on('drain', onDrain).on('error', onError).on('close', onClose);
  });
}

export async function feedInto(body: AsyncIterable<Buffer> | Iterable<Buffer>, sink: Writable): Promise<void> {
  for await (const chunk of body) {
    if (sink.destroyed) throw new Error('The stream was closed before it took everything.');
    if (!sink.write(chunk)) await drained(sink);
  }
}
