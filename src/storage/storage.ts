// The storage seam: one small interface every blob backend (local filesystem now; Azure Blob, S3
// later) implements. The doc comments below are the contract; test/storage/suite.ts checks it.
// Errors are DpErrors classified by kind (see `isNotFound`, `isTransient`), never by backend, so
// the layers above (repository, retry wrappers) need not know which backend they talk to.
import type { Readable } from 'node:stream';
import { DpError, errors, STORAGE_FAILURE, STORAGE_FULL, STORAGE_NOT_FOUND } from '../domain/errors.ts';

/** What `stat` and `list` report about one stored object. */
export interface ObjectInfo {
  /** The object's name, exactly as given to `put`. */
  name: string;
  /** Size in bytes. */
  size: number;
  /** When the object was last written, by the storage's own clock. */
  modified: Date;
}

/** A byte range inside an object: `length` bytes from `offset` (to the end when omitted). */
export interface ByteRange {
  offset: number;
  length?: number;
}

/** Static facts about a backend, so callers decide from data instead of type switches. */
export interface StorageProperties {
  /** How many operations are worth running at once against this backend. */
  maxConcurrency: number;
}

/** Access tiers of object stores; a backend that has them exposes `tiers`. */
export type AccessTier = 'hot' | 'cool' | 'cold' | 'archive';

/** What `TierSupport.getTier` reports of one object. */
export interface TierState {
  tier: AccessTier;
  /** The tier a rehydration under way is bringing the object to; null when none is. */
  rehydratingTo: AccessTier | null;
  /** Whether `get` would read it now (an archived object only once rehydrated). */
  readable: boolean;
}

/** How urgently a rehydration is asked for: Azure's Standard/High priority, S3's Standard/Expedited tier. */
export type RehydrationPriority = 'standard' | 'high';

/**
 * Optional capability of backends with access tiers (Azure Blob, S3 storage classes). Objects in
 * the archive tier cannot be read until rehydrated; `get`/`getStream` on them fail with a
 * DpError of code `StorageObjectArchived`.
 */
export interface TierSupport {
  /**
   * Whether a rehydrated object goes back to the archive by itself: S3 keeps the object in its
   * archive class and serves a restored copy for the days asked; Azure Blob moves the blob
   * itself to the target tier, so it stays there until `setTier` moves it back.
   */
  readonly rehydrationExpires: boolean;
  /** Stores an object directly in `tier`, with `put`'s contract (Put Blob with a tier, PutObject with a storage class). */
  putInTier(name: string, data: Buffer | Readable, tier: AccessTier): Promise<void>;
  /** Moves an object to another tier. */
  setTier(name: string, tier: AccessTier): Promise<void>;
  /** The object's current tier, a rehydration under way, and whether it can be read now. */
  getTier(name: string): Promise<TierState>;
  /**
   * Starts making an archived object readable again, in `target` (Azure Blob: Set Blob Tier with
   * the priority) or as a restored copy kept `days` days (S3: RestoreObject); completes
   * asynchronously: poll `getTier` until `readable`. Asking again while one is under way succeeds.
   */
  rehydrate(name: string, target: AccessTier, priority: RehydrationPriority, days: number): Promise<void>;
}

/**
 * A flat namespace of immutable-by-convention objects.
 *
 * Names are `/`-separated segments of `[A-Za-z0-9._-]`, no segment starting with `.`, at most 1024
 * characters (see `checkObjectName`); backends may reserve names with a leading `.` for their own
 * temporary files. All methods reject with a DpError; "object does not exist" is always
 * recognisable with `isNotFound(err)`, whatever the backend.
 */
export interface Storage {
  /** A short human description (for example the root directory); never contains credentials. */
  readonly displayName: string;
  readonly properties: StorageProperties;
  /** Present only on backends with access tiers. */
  readonly tiers?: TierSupport;

  /**
   * Stores `data` under `name`, replacing any object of that name. Atomic: until the returned
   * promise resolves, readers see either the previous object or none, never a partial one, and a
   * crash at any point leaves no partial object under `name`. When it resolves the object is
   * durable and immediately visible to `get`, `stat` and `list` (read-after-write). If `data` is a
   * stream that errors, the put rejects and nothing is stored.
   */
  put(name: string, data: Buffer | Readable): Promise<void>;

  /** The whole object. Rejects with a not-found error when it does not exist. */
  get(name: string): Promise<Buffer>;

  /**
   * A stream of the object, or of `range` inside it. Rejects (before any data) with a not-found
   * error when the object does not exist, and with code `StorageInvalidRange` when the range
   * does not lie inside the object.
   */
  getStream(name: string, range?: ByteRange): Promise<Readable>;

  /**
   * Optional positional read: fills `target` with the object's bytes from `offset`, in place (no
   * buffer of the backend's own on the way), and resolves to how many it read: `target.length`
   * unless the object ends first. Rejects with a not-found error when the object does not exist,
   * and with code `StorageInvalidRange` when `offset` is not inside `[0, size]`. A backend
   * without it (the object stores) is read through `getStream`; wrappers offer it exactly when
   * the storage below them does (StorageWrapper).
   */
  readInto?(name: string, offset: number, target: Uint8Array): Promise<number>;

  /** Size and modification time. Rejects with a not-found error when the object does not exist. */
  stat(name: string): Promise<ObjectInfo>;

  /**
   * Every object whose name starts with `prefix` (a plain string prefix, not only a folder),
   * each exactly once, in no particular order. Objects put or deleted while listing may or may
   * not appear.
   */
  list(prefix: string): AsyncIterable<ObjectInfo>;

  /** Removes the object. Idempotent: deleting a name that does not exist succeeds. */
  delete(name: string): Promise<void>;

  /**
   * Removes what puts interrupted by a crash left behind (never a stored object), and returns
   * how many it removed. Only while no put is under way: start-up recovery calls it before any
   * work starts. A backend whose puts leave nothing behind need not have it.
   */
  removePartials?(): Promise<number>;
}

// The codes live in the error catalog; re-exported here for the callers that test them.
export {
  STORAGE_CREDENTIALS_MISSING, STORAGE_FAILURE, STORAGE_FULL, STORAGE_INVALID_NAME, STORAGE_INVALID_RANGE, STORAGE_NOT_FOUND, STORAGE_OBJECT_ARCHIVED,
} from '../domain/errors.ts';

/** The one not-found error every backend returns. */
export function storageNotFound(name: string): DpError {
  return errors.storageObjectNotFound(name);
}

/**
 * Any other storage failure. `transient` marks failures a retry may cure (timeouts, throttling,
 * too many open files); they get kind `unavailable`, the rest kind `internal`.
 */
export function storageFailure(op: string, name: string, detail: string, transient: boolean): DpError {
  return errors.storageFailure(op, name, detail, transient);
}

/**
 * The backend is out of space. `freeBytes` is what it still has (null when unknown) and
 * `neededBytes` the size of the object that did not fit (null when unknown, as for a stream).
 */
export function storageFull(displayName: string, name: string, detail: { freeBytes: number | null; neededBytes: number | null }): DpError {
  const free = detail.freeBytes === null ? 'an unknown amount' : formatBytes(detail.freeBytes);
  const needed = detail.neededBytes === null ? '' : `, and ${formatBytes(detail.neededBytes)} were needed for it`;
  return errors.storageFull(
    `The storage '${displayName}' is full: writing '${name}' failed with ${free} free${needed}. Free space on it (or raise its quota) and run the operation again.`,
    detail,
  );
}

export function isStorageFull(e: unknown): e is DpError {
  return e instanceof DpError && e.code === STORAGE_FULL;
}

/** Bytes in words a reader takes in at a glance: 1536 → "1.5 KiB (1536 bytes)". */
export function formatBytes(n: number): string {
  const units = ['KiB', 'MiB', 'GiB', 'TiB'];
  let v = n;
  let unit = '';
  for (const u of units) {
    if (v < 1024) break;
    v /= 1024;
    unit = u;
  }
  return unit ? `${v.toFixed(1)} ${unit} (${n} bytes)` : `${n} bytes`;
}

export function isNotFound(e: unknown): boolean {
  return e instanceof DpError && e.code === STORAGE_NOT_FOUND;
}

export function isTransient(e: unknown): boolean {
  return e instanceof DpError && e.code === STORAGE_FAILURE && e.kind === 'unavailable';
}

const NAME_RE = /^[A-Za-z0-9_-][A-Za-z0-9._-]*(\/[A-Za-z0-9_-][A-Za-z0-9._-]*)*$/;

/** Throws a DpError unless `name` is a valid object name (see `Storage`). */
export function checkObjectName(name: string): void {
  if (name.length > 1024 || !NAME_RE.test(name)) {
    throw errors.storageInvalidName(name);
  }
}

/** Throws unless `range` lies inside an object of `size` bytes; returns the inclusive end. */
export function checkRange(name: string, size: number, range: ByteRange): { start: number; end: number } {
  const { offset } = range;
  const length = range.length ?? size - offset;
  if (!Number.isSafeInteger(offset) || !Number.isSafeInteger(length) || offset < 0 || length < 0 || offset + length > size) {
    throw errors.storageInvalidRange(name, size, offset, range.length);
  }
  return { start: offset, end: offset + length - 1 };
}
