// The seam between jobs and backup data: where a recovery point's bytes go in each datastore.
// The implementation is the deduplicating repository (jobs/repository-store.ts); object stores
// with access tiers will fit the same seam. Contract: `write` stores the stream completely or not at all; `read`
// streams the exact bytes back or errors naming the recovery point; `delete` is idempotent.
import type { Readable, Writable } from 'node:stream';

export interface StoredDump {
  /** Where the bytes are, meaningful to the store that wrote them. */
  ref: string;
  size: number;
}

/** Bytes `[start, end)` of a recovery point's stream. */
export type StreamRange = readonly [start: number, end: number];

/** Only some byte ranges of a recovery point (sorted, apart), read with a memory budget of their own. */
export interface StreamPart {
  ranges: readonly StreamRange[];
  /** Bytes read ahead and not yet written (default the store's own). */
  budget?: number;
  /** Reads of the same point at once (the sessions of a parallel restore): each gets this share of the budget. */
  share?: number;
  /**
   * A read of the same point just found it restorable (a ranged restore's head read): this one
   * skips the check of every chunk before its first byte and checks only its own chunks, as it
   * finds them (one lost since fails it, named). Each check reads the whole chunk list.
   */
  checked?: boolean;
}

export interface DumpLocation {
  /** A filesystem-safe key of the vault. */
  vaultKey: string;
  datastore: string;
  recoveryPointId: string;
  /** Kept with the data, so the catalog's records can be rebuilt from storage alone. */
  metadata?: Record<string, unknown>;
  /** About how many bytes the stream will be (the database's size): sizes a new store's chunks. */
  sizeHint?: number;
}

/** How a rehydration from an archive tier is asked for. */
export interface RehydrationAsk {
  priority: 'standard' | 'high';
  /** Days a store whose rehydrated copies expire by themselves (S3) keeps them readable. */
  days: number;
  pollIntervalMs: number;
  /** Told how many of the objects are readable after each look. */
  onProgress?: (readable: number, total: number) => void;
}

export interface RecoveryPointStore {
  /**
   * Records where a vault just created in `azureLocation` keeps its data (its location's storage
   * now), and the region a GeoRedundant one copies to; optional.
   */
  placeVault?(vaultKey: string, azureLocation: string, secondaryRegion?: string): Promise<void>;
  write(loc: DumpLocation, input: Readable, onBytes?: (total: number) => void): Promise<StoredDump>;
  read(stored: StoredDump, recoveryPointId: string): Readable;
  /**
   * The same bytes written to `sink` (which the caller then ends or destroys): for a consumer
   * that only writes them somewhere, with less copying and garbage than a stream. Rejects, as
   * `read` errors, naming the recovery point. With `part`, only those byte ranges, end to end;
   * every chunk read is still checked against its id.
   */
  readInto(stored: StoredDump, recoveryPointId: string, sink: Writable, onBytes?: (total: number) => void, part?: StreamPart): Promise<void>;
  delete(stored: StoredDump): Promise<void>;
  /**
   * Makes stored bytes kept in an archive tier readable (asks the store to rehydrate them and
   * waits until it has, looking every `pollIntervalMs`); the returned release lets them go back to
   * the archive. Optional: a store without access tiers reads everything at once.
   */
  rehydrate?(stored: StoredDump, opts: RehydrationAsk): Promise<() => Promise<void>>;
  /** Puts a copy of stored bytes at another location (another datastore); verifies them on the way. */
  copy(stored: StoredDump, to: DumpLocation): Promise<StoredDump>;
  /**
   * Keeps a small note about a vault's data with the data (sealed, in VaultStore), so `recover`
   * from storage alone finds it; `value` null removes it. A soft-deleted instance's state is one.
   */
  setNote(vaultKey: string, key: string, value: Record<string, unknown> | null): Promise<void>;
  /** Every note of a vault (after `recover`, or of a vault in use). */
  notes(vaultKey: string): Promise<Record<string, unknown>[]>;
  /** Bytes the vault's storage holds now, per datastore that holds any (the metrics' dpvault_stored_bytes); optional. */
  storedBytes?(vaultKey: string): Promise<Record<string, number>>;
  /** Frees space no recovery point needs any more (after deletions); optional. */
  collectGarbage?(): Promise<void>;
  /**
   * A vault's maintenance, in every datastore it has: deletes what no recovery point needs
   * (packs of deleted points, and of backups that never finished once `graceMs` has passed since
   * they were written) and repacks mostly dead packs. Never runs twice at once for one vault.
   */
  maintain(vaultKey: string, opts?: { graceMs?: number }): Promise<StoreMaintenanceReport>;
  /**
   * Everything a vault's storage holds, rebuilt from the storage and the master key alone (the
   * index is rebuilt from the data itself): each stored recovery point with the metadata it was
   * written with.
   */
  recover(vaultKey: string): Promise<RecoveredDump[]>;
  /**
   * Reads back (a sample of) a vault's stored data and checks every chunk of it; what is found
   * damaged is quarantined, so later backups store that data anew instead of building on it.
   */
  verify(vaultKey: string, samplePercent: number): Promise<StoreVerifyReport>;
  /**
   * Whether each stored recovery point can be restored as far as the store knows now (what is
   * quarantined), without reading data.
   */
  health(vaultKey: string): Promise<StoredHealth[]>;
  /** Verifies, rebuilds the index from the data itself and salvages what is readable of damaged data. */
  repair(vaultKey: string): Promise<StoreRepairReport>;
  /** Every recovery point the vault's storage holds, from what is stored (the index is not rebuilt); optional. */
  storedPoints?(vaultKey: string): Promise<RecoveredDump[]>;
  /**
   * The copies of geo-redundant vaults in their location's pair, read as a store of their own
   * (cross-region restore); absent when the server pairs no location.
   */
  readonly secondary?: RecoveryPointStore;
  /**
   * Copies a stored recovery point to the paired region's storage of its vault, verified; run
   * again it sends only what is missing. Present with `secondary`.
   */
  replicate?(stored: StoredDump): Promise<StoredReplication>;
}

/** What one geo-redundant copy sent. */
export interface StoredReplication {
  objectsCopied: number;
  bytesCopied: number;
  /** Objects the pair held already (an earlier, interrupted copy's). */
  objectsPresent: number;
}

/** Whether one stored recovery point can be restored, as far as the store knows. */
export interface StoredHealth {
  datastore: string;
  /** The `StoredDump.ref` it concerns. */
  ref: string;
  restorable: boolean;
  /** Why not, naming what is damaged; null when restorable. */
  problem: string | null;
}

export interface StoreRepairReport {
  datastores: string[];
  indexFilesWritten: number;
  indexFilesRemoved: number;
  packsSalvaged: number;
  chunksSaved: number;
  chunksLost: number;
  /** What the repair could not save, in words. */
  unsaved: string[];
  health: StoredHealth[];
}

export interface RecoveredDump {
  datastore: string;
  stored: StoredDump;
  recoveryPointId: string | null;
  createdAt: string;
  metadata: Record<string, unknown>;
}

export interface StoreMaintenanceReport {
  datastores: string[];
  packsDeleted: number;
  packsRepacked: number;
  /** Packs of backups that never finished, past the grace period. */
  unfinishedBackupPacksDeleted: number;
  /** Packs left alone because they are younger than the grace period or in use by a running backup. */
  packsKeptYoung: number;
  indexFilesReplaced: number;
  chunkListsDeleted: number;
  bytesFreed: number;
  /** Bytes of packs left in the vault's storage. */
  storedBytes: number;
  /**
   * The locality repack of the newest recovery point of each backup instance: bytes of new packs
   * it wrote, within its budget (per datastore, less what gc's repack wrote), and the runs those
   * points read in before and after it (docs/repository-format.md, "Locality repack").
   */
  localityBytesWritten: number;
  localityBudgetBytes: number;
  localityRunsBefore: number;
  localityRunsAfter: number;
  /** Damage found on the way (packs the index lists but storage lacks, live chunks no pack holds). */
  problems: string[];
  /** The same for the vault's copy in its paired region, when it has one. */
  secondary?: StoreMaintenanceReport;
}

export interface StoreVerifyReport {
  ok: boolean;
  datastores: string[];
  packsChecked: number;
  packsTotal: number;
  chunksChecked: number;
  bytesRead: number;
  /** Each damaged pack or chunk, with the recovery points that can no longer be restored. */
  problems: { datastore: string; pack: string; problem: string; recoveryPoints: string[] }[];
  /** Every stored recovery point's health after the verify (and its quarantine). */
  health: StoredHealth[];
}

/** The folder name of a vault's data: stable, filesystem-safe, case-insensitive like ARM ids. */
export function vaultStoreKey(vaultId: string): string {
  const parts = vaultId.toLowerCase().split('/');
  return `${parts[4]}--${parts[8]}`.replace(/[^a-z0-9._-]/g, '_');
}
