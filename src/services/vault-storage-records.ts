// The storage each vault was created with (storage/placement.ts), kept in the catalog's settings
// as `vaultStorage/<vaultKey>` = {"azureLocation", "storage"} and, for a GeoRedundant vault,
// "secondaryRegion". Storage URLs carry no credentials.
import type { Catalog } from '../catalog/catalog.ts';
import type { VaultStorageRecord, VaultStorageRecords } from '../storage/placement.ts';

const PREFIX = 'vaultStorage/';

export function catalogVaultStorageRecords(catalog: Catalog): VaultStorageRecords {
  return {
    async get(vaultKey) {
      const value = await catalog.getSetting(`${PREFIX}${vaultKey}`);
      return value === undefined ? undefined : (JSON.parse(value) as VaultStorageRecord);
    },
    async set(vaultKey, record) {
      await catalog.setSetting(`${PREFIX}${vaultKey}`, JSON.stringify({ azureLocation: record.azureLocation, storage: record.storage, ...(record.secondaryRegion ? { secondaryRegion: record.secondaryRegion } : {}) }));
    },
    async list() {
      return (await catalog.listSettings(PREFIX)).map((s) => ({ vaultKey: s.key.slice(PREFIX.length), record: JSON.parse(s.value) as VaultStorageRecord }));
    },
  };
}
