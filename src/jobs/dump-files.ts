// Recovery point data as one dump file per recovery point under the data directory, written to a
// temporary name, fsynced and renamed only when complete, with the SHA-256 of the stream recorded.
// Reading verifies the SHA-256 and fails loudly on any difference.
import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream, mkdirSync } from 'node:fs';
import { open, rename, rm, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { PassThrough, Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { DpError } from '../domain/errors.ts';
import type { DumpLocation, RecoveryPointStore, StoredDump } from '../domain/recovery-point-store.ts';

export type { DumpLocation, StoredDump };

export class DumpFiles implements RecoveryPointStore {
  readonly root: string;
  constructor(root: string) {
    this.root = root;
  }

  refFor(loc: DumpLocation): string {
    return join(loc.vaultKey, loc.datastore, `${loc.recoveryPointId}.dump`);
  }

  /** Stores `input` completely or not at all; `onBytes` reports progress. */
  async write(loc: DumpLocation, input: Readable, onBytes?: (total: number) => void): Promise<StoredDump> {
    const ref = this.refFor(loc);
    const final = join(this.root, ref);
    const partial = `${final}.partial`;
    mkdirSync(dirname(final), { recursive: true });
    const hash = createHash('sha256');
    let size = 0;
    const meter = new Transform({
      transform(chunk: Buffer, _enc, cb) {
        hash.update(chunk);
        size += chunk.length;
        onBytes?.(size);
        cb(null, chunk);
      },
    });
    try {
      await pipeline(input, meter, createWriteStream(partial, { mode: 0o600 }));
      const fh = await open(partial, 'r');
      await fh.sync();
      await fh.close();
      await rename(partial, final);
    } catch (e) {
      await rm(partial, { force: true });
      throw e;
    }
    return { ref, sha256: hash.digest('hex'), size };
  }

  /** The stored bytes; the stream errors at its end if they differ from what was recorded. */
  read(stored: StoredDump, recoveryPointId: string): Readable {
    const path = join(this.root, stored.ref);
    const hash = createHash('sha256');
    let size = 0;
    const out = new PassThrough();
    const source = createReadStream(path);
    const check = new Transform({
      transform(chunk: Buffer, _enc, cb) {
        hash.update(chunk);
        size += chunk.length;
        cb(null, chunk);
      },
      flush(cb) {
        const digest = hash.digest('hex');
        if (digest !== stored.sha256 || size !== stored.size) {
          cb(
            new DpError(
              'internal',
              'UserErrorRecoveryPointDataCorrupt',
              `The data of recovery point ${recoveryPointId} does not match its recorded SHA-256 (stored ${stored.size} bytes, sha256 ${stored.sha256}; read ${size} bytes, sha256 ${digest}). The stored bytes were altered or damaged; restore from another recovery point.`,
            ),
          );
        } else cb();
      },
    });
    source.on('error', (e: NodeJS.ErrnoException) =>
      out.destroy(
        e.code === 'ENOENT'
          ? new DpError('internal', 'UserErrorRecoveryPointDataMissing', `The data of recovery point ${recoveryPointId} is missing from the vault store.`)
          : e,
      ),
    );
    source.pipe(check).on('error', (e) => out.destroy(e)).pipe(out);
    return out;
  }

  async exists(stored: StoredDump): Promise<boolean> {
    return stat(join(this.root, stored.ref)).then(() => true, () => false);
  }

  async delete(stored: StoredDump): Promise<void> {
    await rm(join(this.root, stored.ref), { force: true });
    await rm(join(this.root, `${stored.ref}.partial`), { force: true });
  }

  async copy(stored: StoredDump, to: DumpLocation): Promise<StoredDump> {
    const copied = await this.write(to, this.read(stored, to.recoveryPointId));
    if (copied.sha256 !== stored.sha256) {
      await this.delete(copied);
      throw new DpError('internal', 'UserErrorRecoveryPointDataCorrupt', `Copying recovery point ${to.recoveryPointId} to ${to.datastore} produced different bytes.`);
    }
    return copied;
  }
}
