// Where each vault's backup data goes: the server's storage (`--storage`), overridden per Azure
// location (`--location-storage westus=URL`). A vault keeps the storage of its location as it was
// when the vault was created: that storage is recorded with the vault (VaultStorageRecords), so a
// later change of the location's URL sends new vaults there and leaves existing vaults' data
// where it is (`moved` reports them at start-up). A vault with no record (created before
// per-location storage existed) lives in the server's storage. A location's pair
// (`--paired-location A=B`) is where a GeoRedundant vault of A keeps its copy: in the storage B's
// setting names now (`secondary`), under the same `<vault>/<datastore>/` names.
import { DpError, errors } from '../domain/errors.ts';
import type { LocationStorage, StorageSetting } from '../domain/storage-settings.ts';
import { StorageFactory } from './factory.ts';
import { redact } from './object-errors.ts';
import type { StackOptions } from './stack.ts';

export type { LocationStorage, StorageSetting } from '../domain/storage-settings.ts';


/** What is recorded with a vault at its creation. */
export interface VaultStorageRecord {
  azureLocation: string;
  /** The storage URL, or DEFAULT_STORAGE for the server's storage. */
  storage: string;
  /** A GeoRedundant vault's pair at its creation (lower case): where its copies go. */
  secondaryRegion?: string;
}

export interface VaultStorageRecords {
  get(vaultKey: string): Promise<VaultStorageRecord | undefined>;
  set(vaultKey: string, record: VaultStorageRecord): Promise<void>;
  list(): Promise<{ vaultKey: string; record: VaultStorageRecord }[]>;
}

/** How a vault living in the server's storage is recorded: that storage moves with the data directory or `--storage`. */
export const DEFAULT_STORAGE = 'the data directory';

/** How long start-up waits for a storage to answer a listing. */
export const PROBE_TIMEOUT_MS = 30_000;

/** A vault whose location now names another storage than the one its data is in. */
export interface MovedLocation {
  vaultKey: string;
  azureLocation: string;
  recorded: string;
  configured: string;
}

/** The refusal of a storage setting, naming it; what it says of the storage is stripped of secrets. */
export function storageRefused(setting: string, e: unknown): DpError {
  return errors.storageSettingRefused(setting, redact(e instanceof Error ? e.message : String(e)));
}

/** Fails, naming `setting`, unless `factory`'s storage answers a listing within `timeoutMs`. */
export async function probeStorage(factory: StorageFactory, setting: string, timeoutMs = PROBE_TIMEOUT_MS): Promise<void> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`it did not answer within ${Math.round(timeoutMs / 1000)} s.`)), timeoutMs);
  });
  try {
    await Promise.race([factory.probe(), timeout]);
  } catch (e) {
    throw storageRefused(setting, e);
  } finally {
    clearTimeout(timer);
  }
}

/** The vaults whose recorded storage differs from what their location's setting says now (pure). */
export function movedLocations(
  records: readonly { vaultKey: string; record: VaultStorageRecord }[],
  configuredFor: (azureLocation: string) => string,
): MovedLocation[] {
  return records
    .map(({ vaultKey, record }) => ({ vaultKey, azureLocation: record.azureLocation, recorded: record.storage, configured: configuredFor(record.azureLocation) }))
    .filter((m) => m.recorded !== m.configured);
}

export class StoragePlacement {
  readonly #default: StorageFactory;
  readonly #locations = new Map<string, StorageSetting>();
  readonly #records: VaultStorageRecords;
  readonly #stack: StackOptions;
  readonly #factories = new Map<string, StorageFactory>();
  readonly #pairs = new Map<string, string>();

  /**
   * Throws InvalidStorageSetting, naming the setting, for a location storage no backend opens.
   * `pairs`: each location's pair (lower case), for geo-redundant copies.
   */
  constructor(
    defaultFactory: StorageFactory, locations: readonly LocationStorage[], records: VaultStorageRecords, stackOptions: StackOptions = {},
    pairs: Readonly<Record<string, string>> = {},
  ) {
    this.#default = defaultFactory;
    this.#records = records;
    this.#stack = stackOptions;
    for (const [a, b] of Object.entries(pairs)) this.#pairs.set(a.toLowerCase(), b.toLowerCase());
    for (const l of locations) {
      this.#locations.set(l.azureLocation.toLowerCase(), l.storage);
      this.#factory(l.storage.location, l.storage.setting);
    }
  }

  /** The storage a vault created now in `azureLocation` gets (a URL, or DEFAULT_STORAGE). */
  configuredFor(azureLocation: string): string {
    return this.#locations.get(azureLocation.toLowerCase())?.location ?? DEFAULT_STORAGE;
  }

  /** Records where a vault just created in `azureLocation` keeps its data, and where a GeoRedundant one copies it. */
  async place(vaultKey: string, azureLocation: string, secondaryRegion?: string): Promise<void> {
    await this.#records.set(vaultKey, {
      azureLocation: azureLocation.toLowerCase(), storage: this.configuredFor(azureLocation), ...(secondaryRegion ? { secondaryRegion: secondaryRegion.toLowerCase() } : {}),
    });
  }

  /** The storage of a vault's datastores: the one recorded with it, else the server's. */
  async forVault(vaultKey: string): Promise<StorageFactory> {
    const record = await this.#records.get(vaultKey);
    if (!record || record.storage === DEFAULT_STORAGE) return this.#default;
    return this.#factory(record.storage, `the storage recorded for vault ${vaultKey}`);
  }

  /** The location `azureLocation` copies geo-redundant vaults to, if the server pairs it with one. */
  pairOf(azureLocation: string): string | undefined {
    return this.#pairs.get(azureLocation.toLowerCase());
  }

  /** Where a vault copies its data: the pair recorded at its creation as GeoRedundant (none for other vaults). */
  async pairOfVault(vaultKey: string): Promise<string | undefined> {
    return (await this.#records.get(vaultKey))?.secondaryRegion;
  }

  /**
   * Why a GeoRedundant vault cannot be made in `azureLocation` (no pair, or a pair whose storage
   * is the location's own, which would be no copy at all); undefined when it can.
   */
  geoRedundancyRefusal(azureLocation: string): string | undefined {
    const pair = this.pairOf(azureLocation);
    if (!pair) {
      return `The location '${azureLocation}' has no paired location on this server, so a GeoRedundant vault there would have no copy: ` +
        `start the server with --paired-location ${azureLocation.toLowerCase()}=<location> (and --location-storage <location>=URL for the pair's storage), or use LocallyRedundant.`;
    }
    if (this.configuredFor(pair) === this.configuredFor(azureLocation)) {
      return `The location '${azureLocation}' is paired with '${pair}', but both keep their data in the same storage, so a GeoRedundant vault would have no separate copy: ` +
        `give the pair a storage of its own with --location-storage ${pair}=URL.`;
    }
    return undefined;
  }

  /**
   * The storages of geo-redundant copies, as a placement: a vault's datastores in the storage its
   * recorded pair's setting names now. A vault recorded without a pair has no secondary storage.
   */
  secondary(): Pick<StoragePlacement, 'forVault' | 'place'> {
    return {
      forVault: async (vaultKey) => {
        const pair = await this.pairOfVault(vaultKey);
        if (!pair) throw errors.geoRedundancyUnavailable(`The vault ${vaultKey} was not created GeoRedundant in a paired location, so it has no secondary region.`, 'location');
        const storage = this.configuredFor(pair);
        return storage === DEFAULT_STORAGE ? this.#default : this.#factory(storage, `--location-storage ${pair}`);
      },
      place: () => Promise.resolve(),
    };
  }

  /** Vaults whose location's setting changed since they were created (their data stays where it is). */
  async moved(): Promise<MovedLocation[]> {
    return movedLocations(await this.#records.list(), (loc) => this.configuredFor(loc));
  }

  /**
   * Every storage in use, each once, with the setting that names it: the server's, each
   * location's, and each recorded with a vault.
   */
  async all(): Promise<{ factory: StorageFactory; setting: string | undefined }[]> {
    const out: { factory: StorageFactory; setting: string | undefined }[] = [{ factory: this.#default, setting: undefined }];
    const seen = new Set<string>();
    for (const [, s] of this.#locations) {
      if (seen.has(s.location)) continue;
      seen.add(s.location);
      out.push({ factory: this.#factory(s.location, s.setting), setting: s.setting });
    }
    for (const { vaultKey, record } of await this.#records.list()) {
      if (record.storage === DEFAULT_STORAGE || seen.has(record.storage)) continue;
      seen.add(record.storage);
      const setting = `the storage recorded for vault ${vaultKey}`;
      out.push({ factory: this.#factory(record.storage, setting), setting });
    }
    return out;
  }

  /** Probes every storage in use at once; the first that does not answer is refused, naming its setting. */
  async probeAll(defaultSetting: string, timeoutMs = PROBE_TIMEOUT_MS): Promise<void> {
    const all = await this.all();
    const results = await Promise.allSettled(all.map((s) => probeStorage(s.factory, s.setting ?? defaultSetting, timeoutMs)));
    for (const r of results) if (r.status === 'rejected') throw r.reason;
  }

  #factory(location: string, setting: string): StorageFactory {
    let f = this.#factories.get(location);
    if (!f) {
      try {
        f = new StorageFactory(location, this.#stack);
      } catch (e) {
        throw storageRefused(setting, e);
      }
      this.#factories.set(location, f);
    }
    return f;
  }
}
