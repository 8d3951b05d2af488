// ARM paths the commands address.
const DP = 'providers/Microsoft.DataProtection';

export const groupPath = (sub: string, rg: string) => `/subscriptions/${sub}/resourceGroups/${rg}`;
export const vaultPath = (sub: string, rg: string, vault: string) => `${groupPath(sub, rg)}/${DP}/backupVaults/${vault}`;
export const policyPath = (sub: string, rg: string, vault: string, name: string) => `${vaultPath(sub, rg, vault)}/backupPolicies/${name}`;
export const instancePath = (sub: string, rg: string, vault: string, name: string) => `${vaultPath(sub, rg, vault)}/backupInstances/${name}`;
