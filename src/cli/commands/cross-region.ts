// `--use-secondary-region` of recovery-point list, backup-instance validate-for-restore, restore
// trigger and job show|list: as az, these call Azure's location-scoped cross-region restore APIs
// at the vault's secondary region (its `replicatedRegions`), naming the vault or instance and its
// own region in the body. A vault with no secondary region is asked at its own location, and the
// service says why that cannot work.
import type { ArgSpec, CommandContext } from '../command.ts';
import { groupPath, vaultPath } from '../paths.ts';

export const useSecondaryRegion: ArgSpec = {
  names: ['--use-secondary-region'],
  arity: 'flag',
  help: "Use the vault's secondary region: read the copy of a GeoRedundant vault with cross region restore Enabled there.",
};

export interface CrossRegionTarget {
  /** `.../resourceGroups/{rg}/providers/Microsoft.DataProtection/locations/{secondary}` */
  base: string;
  sourceRegion: string;
  vaultId: string;
}

/** Where the cross-region calls about a vault go, from the vault itself. */
export async function crossRegionTarget(ctx: CommandContext, rg: string, vault: string): Promise<CrossRegionTarget> {
  const sub = await ctx.subscription();
  const v = (await ctx.client.get(vaultPath(sub, rg, vault))) as { id: string; location: string; properties?: { replicatedRegions?: string[] } };
  const secondary = v.properties?.replicatedRegions?.[0] ?? v.location;
  return { base: `${groupPath(sub, rg)}/providers/Microsoft.DataProtection/locations/${secondary}`, sourceRegion: v.location, vaultId: v.id };
}

/** Azure's crossRegionRestoreDetails for an instance of the vault. */
export function crossRegionDetails(t: CrossRegionTarget, instanceName: string): { sourceBackupInstanceId: string; sourceRegion: string } {
  return { sourceBackupInstanceId: `${t.vaultId}/backupInstances/${instanceName}`, sourceRegion: t.sourceRegion };
}
