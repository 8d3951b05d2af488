// The task queue: work waiting for a worker, apart from the catalog. One interface whose doc
// comments are the contract (test/queue/conformance.ts checks it); the embedded implementation is
// SQLite (sqlite.ts), sharing the catalog's file; the shared one is PostgreSQL (postgres.ts, on
// pg-boss). Every time is an ISO 8601 instant the caller passes from its clock. A queue whose
// `clock` is 'database' (one many machines share) decides when a task is due, and how long a
// retry waits, by its database's clock instead: there `runAt` and the backoff are instants and
// delays on that clock, the `now` a claim passes is not consulted for due times, and callers pass
// real times (the worker and the scheduler do). Leases are always on the caller's clock.
import type { Tasks } from './tasks.ts';

/** Task kinds and their payloads (JSON objects). `Tasks` is the service's; tests may declare their own. */
export type TaskMap<M> = Record<keyof M, object>;

export type TaskStatus = 'queued' | 'running' | 'done' | 'failed';

/** A task of kind K as the queue returns it. */
export interface QueuedTask<M extends TaskMap<M> = Tasks, K extends keyof M & string = keyof M & string> {
  id: number;
  kind: K;
  payload: M[K];
  /** When it may run (first, or again after a retry). */
  runAt: string;
  /** How many times it was claimed. */
  attempts: number;
  jobKey: string | null;
  /** The group it belongs to (e.g. its datasource): one task of a group runs at a time. */
  group: string | null;
  /** The holder of its lease while running; null otherwise. */
  leasedBy: string | null;
  /** Until when the lease holds while running; null otherwise. */
  leaseUntil: string | null;
  /** Why it last failed or was retried, if it did. */
  lastError: string | null;
}

/** Any one task of the map, narrowed by its `kind`. */
export type AnyTask<M extends TaskMap<M> = Tasks> = { [K in keyof M & string]: QueuedTask<M, K> }[keyof M & string];

/** Whose clock decides due times and retry backoffs: the caller's (every `now` passed) or the database's. */
export type QueueClock = 'caller' | 'database';

export interface EnqueueOptions {
  runAt: string;
  jobKey?: string;
  /** Tasks of one group never run at once (claim skips a group with a task running under a lease that holds). */
  group?: string;
}

export interface TaskQueue<M extends TaskMap<M> = Tasks> {
  /** 'caller' (the embedded queue: every time is the caller's) or 'database' (see the module's header). */
  readonly clock: QueueClock;
  /** Whether other processes claim from this queue too (then no process may end leases it does not hold). */
  readonly shared: boolean;
  /**
   * Queues a task to run at `runAt` or later. With a `jobKey`, a task is queued only if no task
   * with that key was ever queued (whatever its state): returns false and changes nothing
   * otherwise. Inside an open catalog transaction of the same database, joins it.
   */
  enqueue<K extends keyof M & string>(kind: K, payload: M[K], opts: EnqueueOptions): Promise<boolean>;
  /**
   * Claims the queued task due at `now` (runAt <= now) that is due first (then the first queued),
   * of one of `kinds` when given (on a database-clock queue, due by the database's clock); it becomes `running`, leased to `holder` until
   * `leaseUntil`, and its attempts count one more. A task is claimed by one holder at a time, and
   * never while a task of its group is running with a lease that holds at `now`.
   */
  claim(holder: string, opts: { now: string; leaseUntil: string; kinds?: readonly (keyof M & string)[] }): Promise<AnyTask<M> | undefined>;
  /** Extends the lease of a running task `holder` holds; false when it holds it no longer. */
  heartbeat(id: number, holder: string, leaseUntil: string): Promise<boolean>;
  /** The task is done; its lease ends. */
  complete(id: number): Promise<void>;
  /** The task failed for good with `error`; its lease ends. */
  fail(id: number, error: string): Promise<void>;
  /**
   * The task goes back to the queue to run again after a backoff that grows with its attempts
   * (`retryDelayMs`, counted from `now`; a database-clock queue counts from its own clock and
   * draws the delay between `retryDelayMs` and twice that, pg-boss's jitter); `error` is kept as its last error;
   * its lease ends.
   */
  retry(id: number, error: string, now: string): Promise<void>;
  /** Tasks in a state, first queued first. */
  list(status: TaskStatus): Promise<AnyTask<M>[]>;
  /** Running tasks whose lease is over at `now` (leaseUntil <= now): their holder is gone. */
  listExpired(now: string): Promise<AnyTask<M>[]>;
  /**
   * Ends at `now` the leases of running tasks whose holder does not start with `keepPrefix` (a
   * process that knows no one else runs, e.g. the embedded server holding the data-dir lock,
   * expires the leases of its previous instances). Returns how many.
   */
  expireLeases(now: string, keepPrefix: string): Promise<number>;
  /**
   * Running tasks whose lease is over at `now` go back to the queue (to be claimed again, by a
   * database-clock queue after the retry backoff); returns how many.
   */
  releaseExpiredLeases(now: string): Promise<number>;
}

/** The backoff before a retried task runs again: 1 s after its first attempt, doubling, at most an hour. */
export function retryDelayMs(attempts: number): number {
  return Math.min(1000 * 2 ** Math.max(0, attempts - 1), 3_600_000);
}
