// Feeding a recovery point's bytes into a running pg_restore and waiting for both: the feed's
// failure stops pg_restore; a corrupt recovery point is the root cause even when pg_restore also
// complained, while a stream error (a broken pipe) only means pg_restore stopped, and it says why.
import { once } from 'node:events';
import type { Writable } from 'node:stream';
import { finished } from 'node:stream/promises';
import { DpError } from '../domain/errors.ts';
import type { RestoreHandle } from '../sources/postgres/restore.ts';
import type { Feed } from './restore-file.ts';

export async function feedRestore(restore: Pick<RestoreHandle, 'stdin' | 'done' | 'kill'>, feed: Feed): Promise<void> {
  const feeding = feed(restore.stdin).then(
    async () => {
      restore.stdin.end();
      await finished(restore.stdin, { readable: false });
    },
    (e: unknown) => {
      restore.kill();
      throw e;
    },
  );
  const [f, d] = await Promise.allSettled([feeding, restore.done]);
  if (f.status === 'rejected' && f.reason instanceof DpError) throw f.reason;
  if (d.status === 'rejected') throw d.reason;
  if (f.status === 'rejected') throw f.reason;
}

/** Writes `body` into `sink`, waiting whenever it asks to; leaves the sink open (a Feed's contract). */
export async function writeAll(body: AsyncIterable<Buffer>, sink: Writable): Promise<void> {
  for await (const chunk of body) if (!sink.write(chunk)) await once(sink, 'drain');
}
