// Reading a whole-server recovery point (one whose `internal.databases` lists its databases): its
// entries in order, and — for whoever restores part of one, such as an item-level restore — the
// dump of one database of it. The point's bytes are a server archive
// (sources/postgres/server-archive.ts): the roles script, the tablespaces script, then one
// custom-format pg_dump archive per database, in `internal.databases` order.
import { Readable } from 'node:stream';
import { errors } from '../domain/errors.ts';
import { isServerPoint, type RecoveryPointResource } from '../domain/recovery-point.ts';
import type { StoredDump } from '../domain/recovery-point-store.ts';
import type { ServiceContext } from './context.ts';
import { readServerArchive, type ServerEntry } from '../sources/postgres/server-archive.ts';

export { isServerPoint };

/**
 * The entries of the server point's stored bytes, in order. `onBytes` counts the stored bytes
 * read. Each entry's body must be read (or left) before the next is asked for.
 */
export function serverPointEntries(ctx: ServiceContext, stored: StoredDump, recoveryPointId: string, onBytes?: (total: number) => void): AsyncGenerator<ServerEntry> {
  const source = ctx.store.read(stored, recoveryPointId);
  async function* counted(): AsyncGenerator<Buffer> {
    let total = 0;
    try {
      for await (const chunk of source as AsyncIterable<Buffer>) {
        total += chunk.length;
        onBytes?.(total);
        yield chunk;
      }
    } finally {
      source.destroy();
    }
  }
  return readServerArchive(counted());
}

/**
 * The custom-format dump of database `database` in a whole-server recovery point, as a stream
 * (read from the point's stored bytes in `stored`, the entries before it skipped). Errors with
 * UserErrorRecoveryPointNotFound-style DpErrors when the point is not a server point or does not
 * hold that database. `onBytes` counts the stored bytes read.
 */
export function serverPointDatabaseDump(
  ctx: ServiceContext, rp: RecoveryPointResource, stored: StoredDump, database: string, onBytes?: (total: number) => void,
): Readable {
  if (!isServerPoint(rp)) throw errors.serverPointDatabaseMissing(`Recovery point ${rp.name} holds one database, not a whole server.`);
  if (!rp.internal.databases!.includes(database)) {
    throw errors.serverPointDatabaseMissing(`Recovery point ${rp.name} holds no database '${database}'; it holds ${rp.internal.databases!.map((d) => `'${d}'`).join(', ')}.`);
  }
  async function* body(): AsyncGenerator<Buffer> {
    for await (const entry of serverPointEntries(ctx, stored, rp.name, onBytes)) {
      if (entry.kind === 'database' && entry.name === database) {
        yield* entry.body;
        return;
      }
    }
    throw errors.serverArchiveDamaged(`Recovery point ${rp.name} lists database '${database}' but its data holds no dump of it.`);
  }
  return Readable.from(body(), { objectMode: false });
}
