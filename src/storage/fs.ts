// The local filesystem backend: each object is a file under a root directory, its name the
// relative path. Puts write a temporary file beside the target (`.<name>.<random>.tmp`, a name
// no object can have), fsync it, rename it into place and fsync the directory, so a crash never
// leaves a partial file under the final name.
import { randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, open, readdir, readFile, rename, rm, stat, statfs, unlink } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import { dirname, join, sep } from 'node:path';
import { Readable } from 'node:stream';
import { DpError } from '../domain/errors.ts';
import type { ByteRange, ObjectInfo, Storage, StorageProperties } from './storage.ts';
import { checkObjectName, checkRange, storageFailure, storageFull, storageNotFound } from './storage.ts';

/** The temporary file of a put under way: `.<name>.<12 hex>.tmp`, a name no object can have. */
const partialName = (name: string): string => `.${name}.${randomBytes(6).toString('hex')}.tmp`;
const PARTIAL_RE = /^\..+\.[0-9a-f]{12}\.tmp$/;

const TRANSIENT_CODES = new Set(['EMFILE', 'ENFILE', 'EAGAIN', 'EBUSY', 'EINTR', 'ETIMEDOUT']);
/** No room left: a full filesystem, or the user's quota on it reached. */
const FULL_CODES = new Set(['ENOSPC', 'EDQUOT']);

function errno(e: unknown): string | undefined {
  return (e as NodeJS.ErrnoException | null)?.code;
}

/** Maps a filesystem error to the storage error kinds; ENOENT means not-found unless told otherwise. */
function classify(op: string, name: string, e: unknown, missingIsNotFound = true): DpError {
  if (e instanceof DpError) return e;
  const code = errno(e);
  if (missingIsNotFound && (code === 'ENOENT' || code === 'ENOTDIR')) return storageNotFound(name);
  return storageFailure(op, name, code ?? (e instanceof Error ? e.message : String(e)), TRANSIENT_CODES.has(code ?? ''));
}

async function fsyncDir(dir: string): Promise<void> {
  const fh = await open(dir, 'r');
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
}

export class FsStorage implements Storage {
  readonly root: string;
  readonly displayName: string;
  readonly properties: StorageProperties = { maxConcurrency: 4 };

  /** A storage rooted at `root` (created on first put if missing). */
  constructor(root: string) {
    this.root = root;
    this.displayName = `file://${root}`;
  }

  #path(name: string): string {
    checkObjectName(name);
    return join(this.root, ...name.split('/'));
  }

  async put(name: string, data: Buffer | Readable): Promise<void> {
    const path = this.#path(name);
    const dir = dirname(path);
    const tmp = join(dir, partialName(name.split('/').pop() ?? 'object'));
    let fh: FileHandle | undefined;
    try {
      await mkdir(dir, { recursive: true });
      fh = await open(tmp, 'wx');
      if (Buffer.isBuffer(data)) {
        await fh.writeFile(data);
      } else {
        for await (const chunk of data as AsyncIterable<Buffer | string>) {
          const buf = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
          // A write may store only part of the buffer (a disk filling up): write the rest, and
          // the write that cannot store anything fails (ENOSPC) instead of truncating the object.
          for (let at = 0; at < buf.length; ) at += (await fh.write(buf, at, buf.length - at)).bytesWritten;
        }
      }
      await fh.sync();
      await fh.close();
      fh = undefined;
      await rename(tmp, path);
      await fsyncDir(dir);
    } catch (e) {
      if (fh) await fh.close().catch(() => undefined);
      await unlink(tmp).catch(() => undefined);
      if (!Buffer.isBuffer(data)) data.destroy();
      if (FULL_CODES.has(errno(e) ?? '')) {
        throw storageFull(this.displayName, name, { freeBytes: await this.freeBytes(), neededBytes: Buffer.isBuffer(data) ? data.length : null });
      }
      throw classify('put', name, e, false);
    }
  }

  /** Bytes an unprivileged writer may still use on the filesystem of the root; null if unknown. */
  async freeBytes(): Promise<number | null> {
    try {
      const fs = await statfs(this.root);
      return fs.bavail * fs.bsize;
    } catch {
      return null;
    }
  }

  async get(name: string): Promise<Buffer> {
    const path = this.#path(name);
    try {
      return await readFile(path);
    } catch (e) {
      throw classify('get', name, e);
    }
  }

  async getStream(name: string, range?: ByteRange): Promise<Readable> {
    const path = this.#path(name);
    let fh: FileHandle | undefined;
    try {
      fh = await open(path, 'r');
      const { size } = await fh.stat();
      const { start, end } = checkRange(name, size, range ?? { offset: 0 });
      if (end < start) {
        await fh.close();
        return Readable.from([]);
      }
      const stream = createReadStream('', { fd: fh, start, end, autoClose: true });
      return stream;
    } catch (e) {
      if (fh) await fh.close().catch(() => undefined);
      throw classify('read', name, e);
    }
  }

  /** Reads with pread(2) straight into `target`: no stream, no buffer per piece. */
  async readInto(name: string, offset: number, target: Uint8Array): Promise<number> {
    const path = this.#path(name);
    let fh: FileHandle | undefined;
    try {
      fh = await open(path, 'r');
      // A negative position would read from the file's current position: refused first.
      if (!Number.isSafeInteger(offset) || offset < 0) checkRange(name, (await fh.stat()).size, { offset, length: 0 });
      let got = 0;
      while (got < target.length) {
        const { bytesRead } = await fh.read(target, got, target.length - got, offset + got);
        if (bytesRead === 0) break;
        got += bytesRead;
      }
      if (got < target.length || got === 0) {
        // Short (or empty): the object ends inside the range, or before `offset`, which no range may start past.
        const { size } = await fh.stat();
        checkRange(name, size, { offset, length: 0 });
      }
      return got;
    } catch (e) {
      throw classify('read', name, e);
    } finally {
      await fh?.close().catch(() => undefined);
    }
  }

  async stat(name: string): Promise<ObjectInfo> {
    const path = this.#path(name);
    try {
      const st = await stat(path);
      if (!st.isFile()) throw storageNotFound(name);
      return { name, size: st.size, modified: st.mtime };
    } catch (e) {
      throw classify('stat', name, e);
    }
  }

  async *list(prefix: string): AsyncIterable<ObjectInfo> {
    const cut = prefix.lastIndexOf('/');
    const dirName = cut < 0 ? '' : prefix.slice(0, cut);
    yield* this.#walk(dirName, prefix);
  }

  async *#walk(dirName: string, prefix: string): AsyncGenerator<ObjectInfo> {
    const dirPath = dirName === '' ? this.root : join(this.root, ...dirName.split('/'));
    let entries;
    try {
      entries = await readdir(dirPath, { withFileTypes: true });
    } catch (e) {
      const code = errno(e);
      if (code === 'ENOENT' || code === 'ENOTDIR') return;
      throw classify('list', prefix, e);
    }
    for (const entry of entries) {
      if (entry.name.startsWith('.') || entry.name.includes(sep)) continue;
      const name = dirName === '' ? entry.name : `${dirName}/${entry.name}`;
      if (entry.isDirectory()) {
        // Descend only into folders that can hold names with the prefix.
        if (prefix.startsWith(`${name}/`) || name.startsWith(prefix)) yield* this.#walk(name, prefix);
      } else if (entry.isFile() && name.startsWith(prefix)) {
        try {
          const st = await stat(join(dirPath, entry.name));
          yield { name, size: st.size, modified: st.mtime };
        } catch (e) {
          if (errno(e) !== 'ENOENT') throw classify('list', name, e);
        }
      }
    }
  }

  /** Removes the temporary files of interrupted puts anywhere under the root. */
  async removePartials(): Promise<number> {
    return removePartialsUnder(this.root);
  }

  async delete(name: string): Promise<void> {
    const path = this.#path(name);
    try {
      await unlink(path);
    } catch (e) {
      if (errno(e) === 'ENOENT') return;
      throw classify('delete', name, e);
    }
  }
}

async function removePartialsUnder(dir: string): Promise<number> {
  let entries;
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch {
    return 0;
  }
  let removed = 0;
  for (const e of entries) {
    const p = join(dir, e.name);
    if (e.isDirectory()) removed += await removePartialsUnder(p);
    else if (PARTIAL_RE.test(e.name)) {
      await rm(p, { force: true });
      removed++;
    }
  }
  return removed;
}
