// Feeding an archive into a running pg_restore and waiting for both: the feed's failure stops
// pg_restore; a corrupt recovery point (a DpError from the feed) is the root cause even when
// pg_restore also complained, while a stream error (a broken pipe) only means pg_restore
// stopped, and pg_restore says why.
import type { Writable } from 'node:stream';
import { finished } from 'node:stream/promises';
import { DpError } from '../../domain/errors.ts';

export interface FedRestore {
  stdin: Writable;
  done: Promise<void>;
  kill(): void;
}

/** Runs `feed` into `restore.stdin`, ends it, and settles once both the feed and pg_restore have. */
export async function feedRestore(restore: FedRestore, feed: (sink: Writable) => Promise<void>): Promise<void> {
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
