// Writes blobs copied, still sealed, from other packs into new packs of the repository's pack
// size (gc's repack, the locality repack). A pack is stored once full, and by `finish`.
import type { RepoContext } from './context.ts';
import { packName } from './layout.ts';
import { PackBuilder } from './pack.ts';
import type { PackRecord } from './pack.ts';

export class PackWriter {
  readonly #ctx: RepoContext;
  #builder: PackBuilder;
  /** The packs stored so far, in order. */
  readonly written: PackRecord[] = [];

  constructor(ctx: RepoContext) {
    this.#ctx = ctx;
    this.#builder = this.#newPack();
  }

  /** Bytes of blobs and count of chunks in the pack being filled. */
  get pending(): { size: number; count: number } {
    return { size: this.#builder.size, count: this.#builder.count };
  }

  /** Bytes of the packs stored so far. */
  get bytesWritten(): number {
    return this.written.reduce((n, r) => n + r.size, 0);
  }

  /** Appends a sealed blob holding `chunks` (in order); stores the pack once it is full. */
  async add(chunks: readonly { id: string; rawLength: number }[], blob: Buffer): Promise<void> {
    this.#builder.addBlob(chunks, blob);
    if (this.#builder.size >= this.#ctx.config.packSize) await this.#flush();
  }

  /** Stores the last pack; returns every pack written. */
  async finish(): Promise<PackRecord[]> {
    await this.#flush();
    return this.written;
  }

  async #flush(): Promise<void> {
    if (this.#builder.count === 0) return;
    const { record, data } = this.#builder.finish(this.#ctx.keys.dataKey);
    this.#builder = this.#newPack();
    await this.#ctx.storage.put(packName(record.packId), data);
    this.written.push(record);
  }

  #newPack(): PackBuilder {
    return new PackBuilder(this.#ctx.config.packSize + 64 * 1024);
  }
}
