// Making archived objects readable for a while, on a backend with access tiers: asks the store to
// rehydrate each archived one (Set Blob Tier with a priority, S3 RestoreObject), polls until all
// can be read, and hands back a release. Releasing moves what this process rehydrated back to the
// archive tier once no other reader in it still needs the object (Azure Blob); where the store's
// rehydrated copy expires by itself (S3), there is nothing to move. On a backend without tiers
// everything is readable and nothing happens.
import { setTimeout as sleep } from 'node:timers/promises';
import type { AccessTier, RehydrationPriority, Storage, TierSupport } from './storage.ts';

export interface RehydrateOptions {
  priority: RehydrationPriority;
  /** Days a store whose rehydrated copies expire (S3) keeps the copy readable. */
  days: number;
  /** The readable tier an archived object is brought to (default hot). */
  target?: AccessTier;
  /** How long to wait between two looks at the objects still being rehydrated. */
  pollIntervalMs: number;
  /** Told how many of the objects are readable, after each look. */
  onProgress?: (readable: number, total: number) => void;
}

/** Lets the objects go back to the archive tier (idempotent). */
export type Release = () => Promise<void>;

export class ObjectRehydrations {
  /** Readers of each object this process rehydrated, by storage and name. */
  readonly #readers = new Map<string, number>();
  /** The looks and requests that start rehydrations, one at a time, so two readers never both ask. */
  #starting: Promise<unknown> = Promise.resolve();

  /** Makes `names` of `storage` readable and waits until they are; the release lets them go back. */
  async rehydrate(storage: Storage, names: readonly string[], opts: RehydrateOptions): Promise<Release> {
    const tiers = storage.tiers;
    if (!tiers || names.length === 0) return () => Promise.resolve();
    const started = this.#starting.then(() => this.#start(storage.displayName, tiers, names, opts));
    this.#starting = started.catch(() => undefined);
    const held = await started;
    let released = false;
    const release: Release = async () => {
      if (released) return;
      released = true;
      await this.#release(storage.displayName, tiers, held);
    };
    try {
      await this.#waitReadable(tiers, names, opts);
    } catch (e) {
      await release().catch(() => undefined);
      throw e;
    }
    return release;
  }

  /** Asks for each archived object not yet readable to be rehydrated; returns the names now held. */
  async #start(store: string, tiers: TierSupport, names: readonly string[], opts: RehydrateOptions): Promise<string[]> {
    const held: string[] = [];
    try {
      for (const name of names) {
        const key = `${store}\n${name}`;
        const readers = this.#readers.get(key);
        if (readers !== undefined) {
          this.#readers.set(key, readers + 1);
          held.push(name);
          continue;
        }
        const state = await tiers.getTier(name);
        if (state.tier !== 'archive') continue; // never archived: nothing to bring back or move back
        if (!state.readable && state.rehydratingTo === null) await tiers.rehydrate(name, opts.target ?? 'hot', opts.priority, opts.days);
        this.#readers.set(key, 1);
        held.push(name);
      }
    } catch (e) {
      await this.#release(store, tiers, held).catch(() => undefined);
      throw e;
    }
    return held;
  }

  async #waitReadable(tiers: TierSupport, names: readonly string[], opts: RehydrateOptions): Promise<void> {
    let waiting = [...names];
    for (;;) {
      const still: string[] = [];
      for (const name of waiting) {
        const state = await tiers.getTier(name);
        if (state.readable) continue;
        // Moved back meanwhile (by another process, or a rehydration the store gave up): ask again.
        if (state.rehydratingTo === null) await tiers.rehydrate(name, opts.target ?? 'hot', opts.priority, opts.days);
        still.push(name);
      }
      opts.onProgress?.(names.length - still.length, names.length);
      if (still.length === 0) return;
      waiting = still;
      await sleep(opts.pollIntervalMs);
    }
  }

  async #release(store: string, tiers: TierSupport, held: readonly string[]): Promise<void> {
    const back: string[] = [];
    for (const name of held) {
      const key = `${store}\n${name}`;
      const readers = (this.#readers.get(key) ?? 1) - 1;
      if (readers > 0) this.#readers.set(key, readers);
      else {
        this.#readers.delete(key);
        back.push(name);
      }
    }
    if (tiers.rehydrationExpires) return;
    for (const name of back) await tiers.setTier(name, 'archive');
  }
}
