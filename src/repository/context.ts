// What the repository's operations share once a repository is open.
import type { Storage } from '../storage/storage.ts';
import type { Clock } from '../util/clock.ts';
import type { ChunkIndex, ChunkIndexOptions } from './chunk-index.ts';
import type { RepositoryConfig } from './config.ts';
import type { RepositoryKeys } from './crypto.ts';
import type { ChunkGuard } from './guard.ts';
import type { LockOptions, RepositoryLocks } from './locks.ts';
import type { Quarantine } from './quarantine.ts';

/** Tuning that is not part of the format and may differ between processes. */
export interface RuntimeOptions {
  /** The only source of time (manifest times, gc grace periods). */
  clock: Clock;
  /** Worker threads compressing and sealing new chunks in a backup (default: cores − 1, 1 to 4). */
  compressConcurrency?: number;
  /**
   * Pack uploads in flight at once during a backup (default 4). A local upload waits mostly on
   * fsync, not on the CPU: with 2 in flight, a scale-10 backup spent ~0.2 s waiting for them.
   */
  uploadConcurrency?: number;
  /** Reads of pack ranges in flight at once during a restore (default 4). */
  readAhead?: number;
  /**
   * Bytes a restore holds at once (default 16 MiB; 32 MiB bought no speed and cost 21–35 MiB of peak: docs/benchmarks.md): ranges read and not yet opened, and windows
   * of the stream opened and not yet written (restore.ts); a window is a quarter of it.
   */
  restoreBudget?: number;
  /** Where the index's run files go and how many entries stay in memory (chunk-index.ts). */
  index?: ChunkIndexOptions;
  /** The repository's locks between processes: expiry, refresh, how long to wait (locks.ts). */
  locks?: LockOptions;
}

export interface RepoContext {
  storage: Storage;
  config: RepositoryConfig;
  keys: RepositoryKeys;
  gear: Uint32Array;
  index: ChunkIndex;
  indexOptions: ChunkIndexOptions;
  /** What is known damaged (quarantine.ts); the index leaves lost copies out. */
  quarantine: Quarantine;
  /** Index files found damaged at the last refresh (left out of the index). */
  damagedIndexFiles: { indexId: string; problem: string }[];
  /** Config copies that did not read or open when the repository was opened (config-copies.ts). */
  damagedConfig: { name: string; problem: string }[];
  guard: ChunkGuard;
  /** The index files the in-memory index stands for (refresh, and this process's gc): one gone means another process rewrote the index. */
  loadedIndexIds: ReadonlySet<string>;
  /** Locks between processes sharing the repository (locks.ts). */
  locks: RepositoryLocks;
  clock: Clock;
  compressConcurrency: number;
  uploadConcurrency: number;
  readAhead: number;
  restoreBudget: number;
}
