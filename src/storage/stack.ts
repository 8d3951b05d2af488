// The one place storage wrappers are stacked on a backend, in the order restic's backend/all
// stacks them. From the backend up: puts into the tier a rule names (tiered.ts); injected faults (tests only), so what sits above meets them
// as it would meet the backend's own failures; the count of failed operations (the storage errors
// metric, every attempt); the bandwidth limit on writes (one shared by every
// storage of a server, so it bounds the server's uploads, retries included); the concurrency
// limit; retry outermost, so a retry's backoff waits without holding a slot. Production gets retry and limit; a test asks
// for faults through the storage factory (factory.ts), never through the service's options.
import type { Bandwidth } from './bandwidth.ts';
import { ThrottledStorage } from './bandwidth.ts';
import { ErrorCountingStorage } from './error-count.ts';
import type { FaultPlan } from './faults.ts';
import { FaultyStorage } from './faults.ts';
import { LimitedStorage } from './limit.ts';
import { DEFAULT_RETRY, RetryingStorage, type RetryOptions } from './retry.ts';
import { TieredStorage, type TierRule } from './tiered.ts';
import type { Storage } from './storage.ts';

export interface StackOptions {
  /** The tier each object is put in, on a backend with tiers (a datastore's policy); the backend's default when omitted. */
  tiers?: TierRule;
  /** Retry of transient failures (default `DEFAULT_RETRY`); false for none. */
  retry?: RetryOptions | false;
  /** At most `properties.maxConcurrency` operations in flight (default true). */
  limit?: boolean;
  /** Faults to inject (tests only). */
  faults?: FaultPlan;
  /** The server's bandwidth limit on writes (`--max-upload-mbps`); none when omitted. */
  upload?: Bandwidth;
  /** Called on every failed operation of the backend (each attempt; a missing object is no failure): the storage errors metric. */
  onError?: () => void;
}

export function stack(backend: Storage, opts: StackOptions = {}): Storage {
  let storage = backend;
  if (opts.tiers) storage = new TieredStorage(storage, opts.tiers);
  if (opts.faults) storage = new FaultyStorage(storage, opts.faults);
  if (opts.onError) storage = new ErrorCountingStorage(storage, opts.onError);
  if (opts.upload) storage = new ThrottledStorage(storage, opts.upload);
  if (opts.limit !== false) storage = new LimitedStorage(storage);
  if (opts.retry !== false) storage = new RetryingStorage(storage, opts.retry ?? DEFAULT_RETRY);
  return storage;
}
