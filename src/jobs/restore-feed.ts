// Feeding a recovery point's bytes into a running pg_restore and waiting for both
// (sources/postgres/feed-restore.ts, whose rules a multi-session restore shares), and writing a
// stream into a sink.
import { once } from 'node:events';
import type { Writable } from 'node:stream';
export { feedRestore } from '../sources/postgres/feed-restore.ts';

/** Writes `body` into `sink`, waiting whenever it asks to; leaves the sink open (a Feed's contract). */
export async function writeAll(body: AsyncIterable<Buffer>, sink: Writable): Promise<void> {
  for await (const chunk of body) if (!sink.write(chunk)) await once(sink, 'drain');
}
