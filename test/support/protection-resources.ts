// What every protection test creates through the CLI before its first backup instance: group rg,
// vault 'vault' with a system identity, the default PostgreSQL policy 'pol', the server 'pgsrv'
// registered at a cluster's port, and a key vault.
import type { ShellSession } from './shell.ts';

export async function createProtectionResources(ok: ShellSession['ok'], port: number, keyVault: string): Promise<{ sub: string; policyId: string }> {
  const sub = (await ok('dpvault account show')).id as string;
  await ok('dpvault group create -n rg -l westus');
  await ok('dpvault backup-vault create -g rg -v vault -l westus --type SystemAssigned --storage-settings datastore-type=VaultStore type=LocallyRedundant');
  await ok('dpvault backup-policy get-default-policy-template --datasource-type AzureDatabaseForPostgreSQL > policy.json');
  const policyId = (await ok('dpvault backup-policy create -g rg --vault-name vault -n pol --policy policy.json')).id as string;
  await ok(`dpvault postgres server create -g rg -n pgsrv --host 127.0.0.1 --port ${port}`);
  await ok(`dpvault keyvault create -g rg -n ${keyVault} -l westus`);
  return { sub, policyId };
}
