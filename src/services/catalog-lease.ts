// Runs a piece of periodic work on one process of many (issue 22): it takes a named lease in the
// catalog (catalog.ts acquireLease), renews it while the work runs and gives it back at the end.
// A process that dies holding it stops renewing, so the lease expires and another takes over.
// Leases run by the service's clock (their end is compared as ISO 8601 text in the catalog).
import { randomUUID } from 'node:crypto';
import type { Catalog } from '../catalog/catalog.ts';
import type { Clock } from '../util/clock.ts';

export interface LeaseOptions {
  /** Who holds it (a process instance's id; default a new one). */
  holder?: string;
  /** How long the lease lasts without a renewal (default a minute). */
  ttlMs?: number;
  /** How often it is renewed while the work runs (default a third of ttlMs). */
  renewMs?: number;
  log?: (line: string) => void;
}

export const DEFAULT_LEASE_MS = 60_000;

export type Leased<T> = { held: true; value: T } | { held: false; holder: string };

/** Leases for one holder: runs work under a lease, or says who holds it instead. */
export class CatalogLeases {
  readonly holder: string;
  readonly #catalog: Catalog;
  readonly #clock: Clock;
  readonly #ttlMs: number;
  readonly #renewMs: number;
  readonly #log: (line: string) => void;

  constructor(catalog: Catalog, clock: Clock, opts: LeaseOptions = {}) {
    this.#catalog = catalog;
    this.#clock = clock;
    this.holder = opts.holder ?? `process-${randomUUID()}`;
    this.#ttlMs = opts.ttlMs ?? DEFAULT_LEASE_MS;
    this.#renewMs = opts.renewMs ?? this.#ttlMs / 3;
    this.#log = opts.log ?? (() => undefined);
  }

  #until(): string {
    return new Date(this.#clock.now().getTime() + this.#ttlMs).toISOString();
  }

  /** Runs fn holding lease `name`; when another holder has it, runs nothing and names that holder. */
  async run<T>(name: string, fn: () => Promise<T>): Promise<Leased<T>> {
    const now = this.#clock.now().toISOString();
    if (!(await this.#catalog.acquireLease(name, this.holder, now, this.#until()))) {
      return { held: false, holder: (await this.#catalog.getLease(name))?.holder ?? 'another process' };
    }
    const renew = setInterval(() => {
      this.#catalog.renewLease(name, this.holder, this.#until()).then(
        (kept) => kept || this.#log(`lease ${name}: taken over by another process while this one worked`),
        (e: unknown) => this.#log(`lease ${name}: renewal failed: ${(e as Error).message}`),
      );
    }, this.#renewMs);
    renew.unref();
    try {
      return { held: true, value: await fn() };
    } finally {
      clearInterval(renew);
      await this.#catalog.releaseLease(name, this.holder).catch((e: unknown) => this.#log(`lease ${name}: release failed: ${(e as Error).message}`));
    }
  }
}
