// Storage from one place: every user of backup data (backups, restores, retention, verify,
// repair, maintenance, `vault recover`, master key rotation, start-up recovery) opens the storage
// of a vault's datastore here, and finds a vault's datastores by listing, never by looking at a
// directory. The layout under the root location is `<vaultKey>/<datastore>/<object>`; what the
// objects are is the repository's business (src/repository/layout.ts). Each storage it opens has
// the wrappers of stack.ts.
import { isAbsolute, join, resolve } from 'node:path';
import { errors } from '../domain/errors.ts';
import { openStorage } from './backends.ts';
import { stack, type StackOptions } from './stack.ts';
import type { Storage } from './storage.ts';

const SEGMENT_RE = /^[A-Za-z0-9_-][A-Za-z0-9._-]*$/;

function checkSegment(what: string, value: string): void {
  if (!SEGMENT_RE.test(value)) throw errors.storageSegmentInvalid(what, value);
}

/** Where one vault's datastore is, for a place that names where things are. */
export interface DatastoreRef {
  vaultKey: string;
  datastore: string;
}

export class StorageFactory {
  readonly #root: string;
  readonly #stack: StackOptions;
  #rootStorage: Storage | undefined;

  /**
   * `root`: where backup data lives, an absolute local path or a storage URL (backends.ts).
   * `stackOptions`: the wrappers (default: retry and the concurrency limit).
   */
  constructor(root: string, stackOptions: StackOptions = {}) {
    openStorage(root); // a location no backend opens fails here, not at the first backup
    this.#root = root;
    this.#stack = stackOptions;
  }

  /** The location of one vault's datastore: a path under a local root, a URL under a URL. */
  location(vaultKey: string, datastore: string): string {
    checkSegment('vault', vaultKey);
    checkSegment('datastore', datastore);
    if (isAbsolute(this.#root)) return join(this.#root, vaultKey, datastore);
    // Appended to the path, so a query (an object store's endpoint) stays with the location.
    const url = new URL(this.#root);
    url.pathname = `${url.pathname.replace(/\/$/, '')}/${vaultKey}/${datastore}`;
    return url.href;
  }

  /**
   * The storage of one vault's datastore (nothing is created until the first put); `extra`
   * adds to the wrappers (the tier its objects are put in).
   */
  open(vaultKey: string, datastore: string, extra: Pick<StackOptions, 'tiers'> = {}): Storage {
    return stack(openStorage(this.location(vaultKey, datastore)), { ...this.#stack, ...extra });
  }

  /** The datastores of a vault that hold any object, by name. */
  async datastores(vaultKey: string): Promise<string[]> {
    checkSegment('vault', vaultKey);
    const found = new Set<string>();
    for await (const info of this.#all().list(`${vaultKey}/`)) {
      const [, datastore, object] = info.name.split('/');
      if (datastore && object) found.add(datastore);
    }
    return [...found].sort();
  }

  /** Every vault's datastore that holds an object named `name` (a repository's config, say). */
  async holding(name: string): Promise<DatastoreRef[]> {
    const found: DatastoreRef[] = [];
    for await (const info of this.#all().list('')) {
      const [vaultKey, datastore, object, ...rest] = info.name.split('/');
      if (vaultKey && datastore && object === name && rest.length === 0) found.push({ vaultKey, datastore });
    }
    const key = (r: DatastoreRef): string => `${r.vaultKey}/${r.datastore}`;
    return found.sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
  }

  /** Reads the first object listed under the root: fails when the storage cannot be reached or read. */
  async probe(): Promise<void> {
    for await (const _ of this.#all().list('')) break;
  }

  /** Removes what writes interrupted by a crash left anywhere under the root (start-up only). */
  async removePartials(): Promise<number> {
    return (await this.#all().removePartials?.()) ?? 0;
  }

  /** The whole root, for listing across vaults and datastores. */
  #all(): Storage {
    this.#rootStorage ??= stack(openStorage(this.#root), this.#stack);
    return this.#rootStorage;
  }
}

/** The embedded service's backup data: `backup-data` under its data directory. */
export function backupDataStorage(dataDir: string, stackOptions: StackOptions = {}): StorageFactory {
  return new StorageFactory(resolve(dataDir, 'backup-data'), stackOptions);
}
