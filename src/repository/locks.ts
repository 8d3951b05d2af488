// Locks stored in the repository itself, as restic's lock files, so processes that share one
// repository (two dpvault servers on one bucket) keep out of each other's way: backups, restores
// and verifies take a shared lock, garbage collection, repacking and repair an exclusive one.
// A lock is an object `lock-<32 hex>` of plain JSON: kind, holder (what runs), host, pid, when it
// was taken, when it was last refreshed and when it expires. The holder refreshes it while it
// runs; one whose expiry has passed, or taken on this host by a process that no longer runs, is
// stale (its holder died): it is ignored, and removed.
//
// Taking a lock: write ours, then list the others; if a live one conflicts (any other for an
// exclusive lock, an exclusive one for a shared lock), remove ours and wait to try again, or fail
// with RepositoryLocked naming the holders. Two takers that race both see each other and both
// back off, so at worst both wait; never do both proceed. Locks are between processes (each open
// Repository is an owner with an id of its own): within one, backups, restores and gc coordinate
// through guard.ts, and a lock never conflicts with one of its own owner.
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { errors } from '../domain/errors.ts';
import type { Storage } from '../storage/storage.ts';
import { isNotFound } from '../storage/storage.ts';
import type { Clock } from '../util/clock.ts';
import { listAll } from './io.ts';
import { LOCK_PREFIX } from './layout.ts';

export type LockKind = 'shared' | 'exclusive';

export interface LockRecord {
  kind: LockKind;
  /** The open repository (in one process) that took it: random, one per Repository object. */
  owner: string;
  /** What holds it: "backup of recovery point …", "garbage collection". */
  holder: string;
  host: string;
  pid: number;
  /** When it was taken (ISO time, by the holder's clock). */
  time: string;
  /** When it was last refreshed. */
  refreshed: string;
  /** Past this it is stale. */
  expires: string;
}

export interface LockOptions {
  /** A lock not refreshed for this long is stale (default 30 min, as restic). */
  expiryMs?: number;
  /** How often a held lock is refreshed (default a sixth of the expiry: 5 min). */
  refreshMs?: number;
  /** How long taking a lock waits for a conflicting one to go (default 60 s); 0 fails at once. */
  waitMs?: number;
  /** Pause between tries while waiting (default 1 s). */
  retryMs?: number;
}

const DEFAULTS = { expiryMs: 30 * 60_000, waitMs: 60_000, retryMs: 1000 };
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Whether a lock of `kind` may be taken beside the live lock `other` (pure). */
export function compatible(kind: LockKind, other: LockKind): boolean {
  return kind === 'shared' && other === 'shared';
}

/**
 * Whether `record` is stale at `now`: expired, or taken on this host by a process that is gone
 * (a server killed and started again need not wait out the expiry), as restic checks.
 */
export function isStale(record: LockRecord, now: Date, host: string, alive: (pid: number) => boolean = pidAlive): boolean {
  if (Date.parse(record.expires) <= now.getTime()) return true;
  return record.host === host && record.pid !== process.pid && !alive(record.pid);
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM'; // there, but not ours to signal
  }
}

/** One line per lock, for errors and logs. */
export function describeLock(r: LockRecord): string {
  return `${r.holder} (host ${r.host}, pid ${r.pid}, since ${r.time}, expires ${r.expires})`;
}

/** A lock this process holds; refreshed until released. */
export class HeldLock {
  readonly name: string;
  readonly record: LockRecord;
  readonly #locks: RepositoryLocks;
  #timer: ReturnType<typeof setInterval> | undefined;
  #released = false;

  constructor(locks: RepositoryLocks, name: string, record: LockRecord, refreshMs: number) {
    this.#locks = locks;
    this.name = name;
    this.record = record;
    this.#timer = setInterval(() => void this.refresh().catch(() => undefined), refreshMs);
    this.#timer.unref();
  }

  /** Writes the lock again with a new expiry (the timer does this; tests may call it). */
  async refresh(): Promise<void> {
    if (this.#released) return;
    await this.#locks.write(this.name, this.#locks.renewed(this.record));
  }

  async release(): Promise<void> {
    if (this.#released) return;
    this.#released = true;
    clearInterval(this.#timer);
    await this.#locks.remove(this.name);
  }
}

export class RepositoryLocks {
  readonly #storage: Storage;
  readonly #clock: Clock;
  readonly #expiryMs: number;
  readonly #refreshMs: number;
  readonly #waitMs: number;
  readonly #retryMs: number;
  readonly #host = hostname();
  readonly #owner = randomBytes(8).toString('hex');

  constructor(storage: Storage, clock: Clock, opts: LockOptions = {}) {
    this.#storage = storage;
    this.#clock = clock;
    this.#expiryMs = opts.expiryMs ?? DEFAULTS.expiryMs;
    this.#refreshMs = opts.refreshMs ?? Math.max(1, Math.floor(this.#expiryMs / 6));
    this.#waitMs = opts.waitMs ?? DEFAULTS.waitMs;
    this.#retryMs = opts.retryMs ?? DEFAULTS.retryMs;
  }

  /**
   * Takes a lock of `kind` for `holder`, waiting up to the configured time (or `waitMs`) for
   * conflicting live locks to go; fails with RepositoryLocked naming them.
   */
  async acquire(kind: LockKind, holder: string, opts: { waitMs?: number } = {}): Promise<HeldLock> {
    const waitMs = opts.waitMs ?? this.#waitMs;
    const started = performance.now();
    for (;;) {
      const name = `${LOCK_PREFIX}${randomBytes(16).toString('hex')}`;
      const now = this.#clock.now().toISOString();
      const record = this.renewed({ kind, owner: this.#owner, holder, host: this.#host, pid: process.pid, time: now, refreshed: now, expires: now });
      await this.write(name, record);
      let conflicts: LockRecord[];
      try {
        conflicts = (await this.others()).filter((r) => !compatible(kind, r.kind));
      } catch (e) {
        await this.remove(name).catch(() => undefined);
        throw e;
      }
      if (conflicts.length === 0) return new HeldLock(this, name, record, this.#refreshMs);
      await this.remove(name);
      const waited = performance.now() - started;
      if (waited >= waitMs) throw errors.repositoryLocked(holder, kind, conflicts.map(describeLock).join('; '), Math.round(waited / 100) / 10);
      await sleep(Math.min(this.#retryMs, Math.max(1, waitMs - waited)) * (0.5 + Math.random()));
    }
  }

  /** Runs `fn` holding a lock of `kind`. */
  async with<T>(kind: LockKind, holder: string, fn: () => Promise<T>, opts: { waitMs?: number } = {}): Promise<T> {
    const lock = await this.acquire(kind, holder, opts);
    try {
      return await fn();
    } finally {
      await lock.release().catch(() => undefined);
    }
  }

  /** The live locks of other owners (other processes, or other servers in this one). */
  async others(): Promise<(LockRecord & { name: string })[]> {
    return (await this.live()).filter((r) => r.owner !== this.#owner);
  }

  /** Every live lock; stale ones are removed on the way. */
  async live(): Promise<(LockRecord & { name: string })[]> {
    const now = this.#clock.now();
    const out: (LockRecord & { name: string })[] = [];
    for (const info of await listAll(this.#storage, LOCK_PREFIX)) {
      let record: LockRecord;
      try {
        record = JSON.parse((await this.#storage.get(info.name)).toString('utf8')) as LockRecord;
      } catch (e) {
        if (isNotFound(e)) continue; // released meanwhile
        if (e instanceof SyntaxError) continue; // not a lock of ours: never taken as one
        throw e;
      }
      if (isStale(record, now, this.#host)) {
        await this.remove(info.name);
        continue;
      }
      out.push({ ...record, name: info.name });
    }
    return out;
  }

  /** `record` with its refresh time now and its expiry from now. */
  renewed(record: LockRecord): LockRecord {
    const now = this.#clock.now();
    return { ...record, refreshed: now.toISOString(), expires: new Date(now.getTime() + this.#expiryMs).toISOString() };
  }

  async write(name: string, record: LockRecord): Promise<void> {
    await this.#storage.put(name, Buffer.from(`${JSON.stringify(record)}\n`));
  }

  async remove(name: string): Promise<void> {
    await this.#storage.delete(name);
  }
}
