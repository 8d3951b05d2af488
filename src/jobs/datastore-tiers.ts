// The access tier of each datastore's objects on a store with tiers (Azure Blob, S3), as Azure
// Backup keeps them: VaultStore in the store's default (hot) tier; in ArchiveStore the packs, the
// bulk of the data and read only by a restore, go to the archive tier, while its config, index,
// manifests, chunk lists, locks and notes stay readable, so the repository lists, deduplicates,
// deletes and collects garbage there without rehydrating anything. Pure.
import { PACK_PREFIX } from '../repository/layout.ts';
import type { TierRule } from '../storage/tiered.ts';

const ARCHIVE_PACKS: TierRule = (name) => (name.startsWith(PACK_PREFIX) ? 'archive' : null);

/** The tier rule of a datastore's objects; undefined for the store's default tier throughout. */
export function datastoreTiers(datastore: string): TierRule | undefined {
  return datastore.toLowerCase() === 'archivestore' ? ARCHIVE_PACKS : undefined;
}
