// Where the vault's identity must hold each role a manifest asks for (backupVaultPermissions for
// a backup, backupVaultRestorePermissions and dpvault's serverRestorePermissions for a restore), as az's update-msi-permissions places
// them: over the resource the requirement's type names, or, with --permissions-scope, over its
// resource group or subscription (az's truncate_id_using_scope; a group stays a group under
// `Resource`). Pure: the CLI grants with it, the service checks with it.
import type { DatasourceManifest, RoleRequirement } from './manifest.ts';

export const PERMISSIONS_SCOPES = ['Resource', 'ResourceGroup', 'Subscription'] as const;
export type PermissionsScope = (typeof PERMISSIONS_SCOPES)[number];
export const MSI_OPERATIONS = ['Backup', 'Restore'] as const;
export type MsiOperation = (typeof MSI_OPERATIONS)[number];

export interface PlacedRequirement extends RoleRequirement {
  /** The scope the role is granted over. */
  scope: string;
  /** In words, as az's prompt says it: "Reader over the datasource resource group". */
  what: string;
}

const WHAT: Record<string, string> = {
  DataSource: 'the datasource',
  DataSourceRG: 'the datasource resource group',
  TargetDataSource: 'the restore target',
};

/**
 * The manifest's requirements for `operation` that concern `resourceId` (the protected server
 * for a backup, the target server for a restore), placed at `scope`. Requirements on resources
 * dpvault does not have (a target storage account) are left out.
 */
export function placeRequirements(manifest: DatasourceManifest, operation: MsiOperation, resourceId: string, scope: PermissionsScope = 'Resource'): PlacedRequirement[] {
  const wanted = operation === 'Backup'
    ? manifest.backupVaultPermissions
    : [...(manifest.backupVaultRestorePermissions ?? []), ...(manifest.serverRestorePermissions ?? [])];
  const parts = resourceId.split('/');
  const subscription = parts.slice(0, 3).join('/');
  const group = parts.slice(0, 5).join('/');
  const out: PlacedRequirement[] = [];
  for (const r of wanted) {
    if (!(r.type in WHAT) || (operation === 'Backup') === (r.type === 'TargetDataSource')) continue;
    const natural = r.type === 'DataSourceRG' ? group : resourceId;
    const placed = scope === 'Subscription' ? subscription : scope === 'ResourceGroup' ? group : natural;
    out.push({ ...r, scope: placed, what: `${r.roleDefinitionName} over ${WHAT[r.type]}` });
  }
  return out;
}
