// The shapes of the API's resources as the Backup center reads them (the fields it shows), and
// where each list lives. The API's own types are in src/domain/; these are the client's view.
export interface Vault {
  id: string;
  name: string;
  location: string;
  properties: { provisioningState?: string; storageSettings?: { datastoreType: string; type: string }[] };
}

export interface Instance {
  id: string;
  name: string;
  properties: {
    friendlyName?: string;
    currentProtectionState: string;
    protectionStatus?: { status: string; errorDetails?: { message?: string } | null };
    dataSourceInfo: { resourceID: string; resourceName?: string; datasourceType: string; resourceLocation?: string };
    policyInfo: { policyId: string };
    datasourceAuthCredentials?: { secretStoreResource?: { uri?: string } } | null;
  };
}

export interface Job {
  id: string;
  name: string;
  properties: {
    operation: string;
    operationCategory: string;
    status: string;
    startTime: string;
    endTime: string | null;
    dataSourceName: string;
    vaultName: string;
    backupInstanceId?: string;
    errorDetails: { code: string; message: string }[] | null;
    extendedInfo: { subTasks: { taskProgress?: string; additionalDetails?: Record<string, string> | null }[] };
  };
}

export interface RecoveryPoint {
  id: string;
  name: string;
  properties: {
    recoveryPointTime: string;
    retentionTagName: string;
    expiryTime: string | null;
    recoveryPointDataStoresDetails: { type: string; expiryTime: string | null }[];
  };
}

export interface Policy {
  id: string;
  name: string;
}

export interface StorageUsage {
  datastores: { dataStoreType: string; recoveryPoints: number; logicalBytes: number; storedBytes: number }[];
  history: { time: string; logicalBytes?: number; storedBytes?: number }[];
}

export interface Simulation {
  timeZone: string;
  tags: string[];
  months: { month: string; backups: { day: number; tag: string }[]; VaultStore: number; ArchiveStore: number }[];
}

export const vaultsPath = (sub: string): string => `/subscriptions/${sub}/providers/Microsoft.DataProtection/backupVaults`;
export const jobsPath = (sub: string): string => `/subscriptions/${sub}/providers/Microsoft.DataProtection/backupJobs`;
export const instancesPath = (sub: string): string => `/subscriptions/${sub}/providers/Microsoft.DataProtection/backupInstances`;
/** The vault an id under it belongs to (`.../backupVaults/{name}`). */
export const vaultIdOf = (id: string): string => id.split('/').slice(0, 9).join('/');
