// The seam between jobs and backup data: where a recovery point's bytes go in each datastore.
// The implementation is the deduplicating repository (jobs/repository-store.ts); object stores
// with access tiers will fit the same seam. Contract: `write` stores the stream completely or not at all; `read`
// streams the exact bytes back or errors naming the recovery point; `delete` is idempotent.
import type { Readable } from 'node:stream';

export interface StoredDump {
  /** Where the bytes are, meaningful to the store that wrote them. */
  ref: string;
  /** SHA-256 of the whole stream, hex. */
  sha256: string;
  size: number;
}

export interface DumpLocation {
  /** A filesystem-safe key of the vault. */
  vaultKey: string;
  datastore: string;
  recoveryPointId: string;
}

export interface RecoveryPointStore {
  write(loc: DumpLocation, input: Readable, onBytes?: (total: number) => void): Promise<StoredDump>;
  read(stored: StoredDump, recoveryPointId: string): Readable;
  delete(stored: StoredDump): Promise<void>;
  /** Puts a copy of stored bytes at another location (another datastore); verifies them on the way. */
  copy(stored: StoredDump, to: DumpLocation): Promise<StoredDump>;
  /** Frees space no recovery point needs any more (after deletions); optional. */
  collectGarbage?(): Promise<void>;
  /** Reads back (a sample of) a vault's stored data and checks every chunk of it. */
  verify(vaultKey: string, samplePercent: number): Promise<StoreVerifyReport>;
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
}
