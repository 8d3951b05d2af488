// A whole-server recovery point restored as files (domain/server-restore-files.ts names them):
// each entry of the point written, in the point's order, by the writer every restore as files
// into that kind of target uses — a directory's (restore-file.ts: a `.partial` synced and then
// named, its SHA-256 beside it, mode 0640) or a container's (restore-object.ts: each object
// streamed, then its SHA-256) — then the manifest naming every file with its checksum and how to
// replay them. A failure removes every file this restore wrote.
import { rm } from 'node:fs/promises';
import { basename } from 'node:path';
import { errors } from '../domain/errors.ts';
import type { RecoveryPointResource } from '../domain/recovery-point.ts';
import type { StoredDump } from '../domain/recovery-point-store.ts';
import { checksumOf } from '../domain/restore-files.ts';
import type { ServerFileNames } from '../domain/server-restore-files.ts';
import type { ServiceContext } from '../services/context.ts';
import { writeAll } from './restore-feed.ts';
import { restoreToFile } from './restore-file.ts';
import { serverPointEntries } from './server-point.ts';

async function* once_(bytes: Buffer): AsyncGenerator<Buffer> {
  yield bytes;
}

interface WrittenFile { kind: string; name: string; file: string; sha256: string }

/** Where a whole-server point's files go: each written whole with its checksum beside it (returned), or removed again. */
export interface FileTarget {
  write(file: string, body: AsyncIterable<Buffer>): Promise<string>;
  remove(file: string): Promise<void>;
}

/** A directory: each file by the writer of every restore as files (restore-file.ts). */
export const directoryTarget: FileTarget = {
  write: (file, body) => restoreToFile((sink) => writeAll(body, sink), file),
  remove: async (file) => {
    await Promise.all([rm(file, { force: true }), rm(checksumOf(file), { force: true })]);
  },
};

/**
 * Writes the point's files (`names`, paths in a directory or object names in a container) into
 * `target`, in the point's order, the manifest last; returns them. A failure removes every one written.
 */
export async function restoreServerAsFiles(
  ctx: ServiceContext, rp: RecoveryPointResource, stored: StoredDump, names: ServerFileNames, onBytes: (total: number) => void, target: FileTarget = directoryTarget,
): Promise<string[]> {
  const byDatabase = new Map(names.databases.map((d) => [d.name, d.file]));
  const written: WrittenFile[] = [];
  const write = async (kind: string, name: string, file: string, body: AsyncIterable<Buffer>) => {
    written.push({ kind, name, file, sha256: await target.write(file, body) });
  };
  try {
    for await (const entry of serverPointEntries(ctx, stored, rp.name, onBytes)) {
      const file = entry.kind === 'roles' ? names.roles : entry.kind === 'tablespaces' ? names.tablespaces : byDatabase.get(entry.name);
      if (!file) throw errors.serverArchiveDamaged(`Recovery point ${rp.name} holds a database '${entry.name}' that its list of databases does not name.`);
      await write(entry.kind, entry.name, file, entry.body);
    }
    await write('manifest', 'manifest', names.manifest, once_(Buffer.from(`${JSON.stringify(manifestOf(rp, written), null, 2)}\n`)));
  } catch (e) {
    for (const w of written) await target.remove(w.file).catch(() => undefined);
    throw e;
  }
  return written.map((w) => w.file);
}

/** What the manifest file says: the point, each file with its checksum, and how to replay them. */
function manifestOf(rp: RecoveryPointResource, written: WrittenFile[]): Record<string, unknown> {
  const file = (kind: string) => written.find((w) => w.kind === kind);
  const entry = (w: WrittenFile | undefined) => (w ? { file: basename(w.file), sha256: w.sha256 } : null);
  return {
    recoveryPointId: rp.name,
    recoveryPointTime: rp.properties.recoveryPointTime,
    server: rp.internal.database,
    postgresVersion: rp.internal.serverMajorVersion,
    roles: { ...entry(file('roles')), format: 'sql', passwords: 'not included' },
    tablespaces: { ...entry(file('tablespaces')), format: 'sql' },
    databases: written.filter((w) => w.kind === 'database').map((w) => ({ name: w.name, ...entry(w), format: 'pg_dump custom' })),
    replay: [
      'psql -f <roles file> postgres   (the roles, without passwords: set them with ALTER ROLE ... PASSWORD; "role ... already exists" for roles the server has, such as its superuser, can be ignored)',
      'edit each LOCATION in the tablespace file to a directory of the new server, then psql -f <tablespace file> postgres',
      'for each database: createdb <name>; pg_restore -d <name> <database file>   (add --no-owner where its roles are not wanted)',
    ],
  };
}
