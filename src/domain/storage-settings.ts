// The server's storage settings as the command line, a config file or the environment give them
// (cli/server-storage-config.ts) and the storage layer takes them (storage/placement.ts).

/** A storage given by a setting: the storage URL (or absolute path) and what set it, as the user wrote it. */
export interface StorageSetting {
  location: string;
  setting: string;
}

/** One `--location-storage LOCATION=URL`. */
export interface LocationStorage {
  /** The Azure location (`westus`), lower case. */
  azureLocation: string;
  storage: StorageSetting;
}
