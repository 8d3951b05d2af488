// A restore as files: the recovery point's dump written to `<dir>/<prefix>.dump` and its SHA-256
// to `<prefix>.dump.sha256`. The dump is written to `<file>.partial`, synced, and named only
// once whole (by a hard link, which never replaces an existing file); the checksum file is written
// (as `.sha256.partial`, then named the same way) before that, so a `.dump` without its checksum
// never appears, and no file under its final name is ever half written. Both files get FILE_MODE and the target directory's group (as a setgid directory
// would give them), so a directory of group `postgres` makes the dump readable by PostgreSQL's
// tools run as `postgres`, and nobody else. Every stream here has an error listener: a failure
// (a full disk, a sink ended early) rejects this restore and removes what it wrote, and never
// becomes an uncaught exception.
import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { chmod, chown, link, open, rm, stat, unlink, writeFile } from 'node:fs/promises';
import { basename, dirname } from 'node:path';
import { once } from 'node:events';
import type { Writable } from 'node:stream';
import { finished } from 'node:stream/promises';
import { errors } from '../domain/errors.ts';
import { checksumOf, partialOf } from '../domain/restore-files.ts';
import { writeThrough } from '../util/write-through.ts';

/** Read and write for the service's user, read for the directory's group. */
export const FILE_MODE = 0o640;

/** Writes the recovery point's verified bytes into a sink; resolves once the sink has taken them all. */
export type Feed = (sink: Writable) => Promise<void>;

/** Returns the SHA-256 (hex) written beside the file. */
export async function restoreToFile(feed: Feed, file: string): Promise<string> {
  const partial = partialOf(file);
  const out = createWriteStream(partial, { flags: 'wx', mode: FILE_MODE });
  const hash = createHash('sha256');
  // A write completes when the file has the buffer, so a feed that reuses buffers stays safe.
  const sink = writeThrough(out, (chunk) => {
    hash.update(chunk);
    return chunk;
  });
  const failed = finished(sink);
  failed.catch(() => undefined); // awaited below; until then this is the sink's error listener
  let opened = false;
  let wroteSum = false;
  let namedSum = false;
  try {
    await once(out, 'open');
    opened = true;
    await feed(sink);
    if (sink.writableEnded) throw errors.restoreWriterClosed(`The restore's writer to '${partial}' was ended before it took all the data.`);
    sink.end();
    await failed;
    const fh = await open(partial, 'r');
    try {
      await fh.sync();
    } finally {
      await fh.close();
    }
    const sum = checksumOf(file);
    const digest = hash.digest('hex');
    await writeFile(partialOf(sum), `${digest}  ${basename(file)}\n`, { flag: 'wx', mode: FILE_MODE });
    wroteSum = true;
    await setModeAndGroup([partial, partialOf(sum)], dirname(file));
    await nameExclusively(partialOf(sum), sum);
    namedSum = true;
    await nameExclusively(partial, file);
    return digest;
  } catch (e) {
    sink.destroy();
    if (!out.closed) await once(out, 'close').catch(() => undefined);
    if (opened) await rm(partial, { force: true }); // not another's file that made our open fail
    if (wroteSum) await rm(partialOf(checksumOf(file)), { force: true });
    if (namedSum) await rm(checksumOf(file), { force: true });
    throw e;
  }
}

/**
 * Gives the whole dump its name without ever replacing a file of that name (a rename would): a
 * hard link fails when the name exists, then the `.partial` name is dropped.
 */
async function nameExclusively(partial: string, file: string): Promise<void> {
  try {
    await link(partial, file);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EEXIST') throw errors.restoreFileExists(file);
    throw e;
  }
  await unlink(partial);
}

/**
 * FILE_MODE whatever the umask, and the directory's group when it differs from ours and we may
 * give it (root, or a member of it).
 */
async function setModeAndGroup(files: string[], dir: string): Promise<void> {
  const { gid } = await stat(dir);
  for (const f of files) {
    await chmod(f, FILE_MODE);
    if ((await stat(f)).gid === gid) continue;
    await chown(f, -1, gid).catch(() => undefined); // not a member: the files keep our group
  }
}
