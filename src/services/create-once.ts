// One creation at a time across the processes of one catalog (the PostgreSQL mode): a creation
// runs under a catalog lease named for what it makes (catalog-lease.ts); a process that finds
// another holding it waits for it to finish, then runs its own, which finds the thing made and
// uses it. A holder that died is taken over once its lease expires.
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Catalog } from '../catalog/catalog.ts';
import { errors } from '../domain/errors.ts';
import type { Clock } from '../util/clock.ts';
import { CatalogLeases, DEFAULT_LEASE_MS } from './catalog-lease.ts';

const POLL_MS = 200;

/**
 * Runs `create` while no other process runs one under the same name (processes sharing a catalog
 * and a storage). A repository is made by writing its config, which holds its keys; the storage
 * has no create-if-absent, so two processes making one vault's repository at once would each
 * write a config with keys of its own, and the data written under the keys that lost could never
 * be read. Without it (one process) a repository store's own creations are in one promise per repository.
 */
export type CreateOnce = <T>(name: string, create: () => Promise<T>) => Promise<T>;

export function catalogCreateOnce(catalog: Catalog, clock: Clock, log?: (line: string) => void): CreateOnce {
  const leases = new CatalogLeases(catalog, clock, { log });
  return async <T>(name: string, create: () => Promise<T>): Promise<T> => {
    // Long enough for a holder that died to lose its lease, and the wait to be taken over.
    const giveUp = performance.now() + 2 * DEFAULT_LEASE_MS;
    for (;;) {
      const leased = await leases.run(name, create);
      if (leased.held) return leased.value;
      if (performance.now() > giveUp) throw errors.repositoryLocked(`making ${name}`, 'exclusive', leased.holder, Math.round((2 * DEFAULT_LEASE_MS) / 1000));
      await sleep(POLL_MS);
    }
  };
}
