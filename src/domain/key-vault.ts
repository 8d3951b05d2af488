// The built-in key vault as the REST API shows it (a Microsoft.KeyVault/vaults resource) and its
// access policies. Its secrets, their identifiers and data-plane shapes are in src/secrets/.

export const KEY_VAULT_TYPE = 'Microsoft.KeyVault/vaults';

export type PermissionCategory = 'keys' | 'secrets' | 'certificates' | 'storage';

export type Permissions = Record<PermissionCategory, string[]>;

export interface AccessPolicy {
  tenantId: string;
  objectId: string;
  applicationId: string | null;
  permissions: Permissions;
}

export interface KeyVaultProperties {
  sku: { family: 'A'; name: 'standard' | 'premium' };
  tenantId: string;
  accessPolicies: AccessPolicy[];
  vaultUri: string;
  enabledForDeployment: boolean;
  enabledForDiskEncryption: boolean;
  enabledForTemplateDeployment: boolean;
  enableSoftDelete: boolean;
  softDeleteRetentionInDays: number;
  enableRbacAuthorization: boolean;
  enablePurgeProtection: boolean | null;
  publicNetworkAccess: string;
  networkAcls: null;
  provisioningState: 'Succeeded';
  createMode: null;
  hsmPoolResourceId: null;
  privateEndpointConnections: null;
}

export interface KeyVault {
  id: string;
  name: string;
  type: typeof KEY_VAULT_TYPE;
  location: string;
  resourceGroup: string;
  tags: Record<string, string>;
  systemData: null;
  properties: KeyVaultProperties;
}
