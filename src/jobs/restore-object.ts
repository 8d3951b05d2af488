// A restore as files into object storage: the recovery point's dump streamed into one object,
// `<prefix>.dump`, then its SHA-256 into `<prefix>.dump.sha256` (the same two files a directory
// target gets). The dump's put is atomic (a multipart upload or block list completed only once
// the whole stream was read), so a failure or a crash midway leaves no partial dump; a dump whose
// checksum could not follow is deleted again. The bytes pass through a small buffer with
// backpressure: never the whole dump in memory.
import { createHash } from 'node:crypto';
import { PassThrough } from 'node:stream';
import { finished } from 'node:stream/promises';
import { DpError, errors } from '../domain/errors.ts';
import { checksumOf } from '../domain/restore-files.ts';
import type { Storage } from '../storage/storage.ts';
import { writeThrough } from '../util/write-through.ts';
import type { Feed } from './restore-file.ts';
import { writeAll } from './restore-feed.ts';
import type { FileTarget } from './server-files-restore.ts';

/** Bytes held between the feed and the upload (the upload's own parts come on top). */
const BUFFER_BYTES = 1024 * 1024;

/** Returns the SHA-256 (hex) written beside the dump. */
export async function restoreToObject(feed: Feed, storage: Storage, name: string): Promise<string> {
  const pass = new PassThrough({ highWaterMark: BUFFER_BYTES });
  const hash = createHash('sha256');
  // The feed reuses each buffer once its write completes, and the upload may still hold it: copy.
  const sink = writeThrough(pass, (chunk) => {
    hash.update(chunk);
    return Buffer.from(chunk);
  });
  const uploading = storage.put(name, pass);
  const feeding = (async () => {
    await feed(sink);
    if (sink.writableEnded) throw errors.restoreWriterClosed(`The restore's writer to '${name}' was ended before it took all the data.`);
    sink.end();
    await finished(sink);
  })();
  feeding.catch((e: unknown) => pass.destroy(e instanceof Error ? e : new Error(String(e))));
  const [f, u] = await Promise.allSettled([feeding, uploading]);
  // A damaged recovery point is the cause even when the upload then failed; a stream error on
  // the feed's side only means the upload stopped, and the upload's error says why.
  if (f.status === 'rejected' && f.reason instanceof DpError) throw f.reason;
  if (u.status === 'rejected') throw u.reason;
  if (f.status === 'rejected') throw f.reason;
  const digest = hash.digest('hex');
  try {
    await storage.put(checksumOf(name), Buffer.from(`${digest}  ${name}\n`));
  } catch (e) {
    await storage.delete(name).catch(() => undefined);
    throw e;
  }
  return digest;
}

/** A container as the target of a whole-server point's files: each object as above; removed again with its checksum. */
export function containerFileTarget(storage: Storage): FileTarget {
  return {
    write: (name, body) => restoreToObject((sink) => writeAll(body, sink), storage, name),
    remove: async (name) => {
      for (const n of [name, checksumOf(name)]) await storage.delete(n).catch(() => undefined);
    },
  };
}
