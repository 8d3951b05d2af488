// Index files of bounded size, written one after another from records handed over one at a time:
// gc rewrites the whole index without holding it (one file for the whole repository held it
// twice over, plaintext and sealed, as it was written and again as it was read: ~90 bytes a chunk
// each way, 60 MB at scale 100). A file holds whole pack records and closes before the one that
// would take it past INDEX_FILE_ENTRIES entries (a record larger than that is a file alone).
import type { Storage } from '../storage/storage.ts';
import { writeIndexFile } from './chunk-index.ts';
import type { PackRecord } from './pack.ts';

/** Entries an index file that gc writes holds at most: ~1.4 MiB of file. */
export const INDEX_FILE_ENTRIES = 1 << 15;

/** Where the files of records taken in order begin and end. */
export class IndexFilePacking {
  readonly #limit: number;
  #closed = 0;
  #open = 0;
  #openRecords = 0;

  constructor(limit = INDEX_FILE_ENTRIES) {
    this.#limit = limit;
  }

  /** Takes a record of `entries` entries; true when it begins a new file after a full one. */
  add(entries: number): boolean {
    const full = this.#openRecords > 0 && this.#open + entries > this.#limit;
    if (full) {
      this.#closed++;
      this.#open = 0;
      this.#openRecords = 0;
    }
    this.#open += entries;
    this.#openRecords++;
    return full;
  }

  /** Files the records taken so far fill. */
  get files(): number {
    return this.#closed + (this.#openRecords > 0 ? 1 : 0);
  }
}

/** Writes the records it is given into index files of bounded size, in order. */
export class IndexFileWriter {
  readonly #storage: Storage;
  readonly #dataKey: Buffer;
  readonly #packing: IndexFilePacking;
  #records: PackRecord[] = [];
  readonly #ids: string[] = [];

  constructor(storage: Storage, dataKey: Buffer, limit = INDEX_FILE_ENTRIES) {
    this.#storage = storage;
    this.#dataKey = dataKey;
    this.#packing = new IndexFilePacking(limit);
  }

  async add(record: PackRecord): Promise<void> {
    if (this.#packing.add(record.entries.length)) await this.#flush();
    this.#records.push(record);
  }

  /** Writes what is left; the ids of every file written, in order. */
  async finish(): Promise<string[]> {
    await this.#flush();
    return this.#ids;
  }

  async #flush(): Promise<void> {
    if (this.#records.length === 0) return;
    const records = this.#records;
    this.#records = [];
    this.#ids.push(await writeIndexFile(this.#storage, this.#dataKey, records));
  }
}
