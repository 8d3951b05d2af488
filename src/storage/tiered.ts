// Puts into the tier a rule names: the wrapper that sends a datastore's objects to the tier its
// policy says (ArchiveStore's packs to the archive) on a backend with tiers. Stacked first, on
// the backend itself (stack.ts), so retries and limits above it apply to these puts too. On a
// backend without tiers it puts as usual: a local disk has one tier.
import type { Readable } from 'node:stream';
import type { AccessTier, Storage } from './storage.ts';
import { StorageWrapper } from './wrapper.ts';

/** The tier an object of this name goes to; null for the backend's default. */
export type TierRule = (name: string) => AccessTier | null;

export class TieredStorage extends StorageWrapper {
  readonly #rule: TierRule;

  constructor(inner: Storage, rule: TierRule) {
    super(inner);
    this.#rule = rule;
  }

  override put(name: string, data: Buffer | Readable): Promise<void> {
    const tier = this.#rule(name);
    const tiers = this.inner.tiers;
    return tier && tiers ? tiers.putInTier(name, data, tier) : this.inner.put(name, data);
  }
}
