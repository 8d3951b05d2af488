// What a test of whole-server protection creates through the CLI: group rg and vault 'vault' with
// a system identity, a key vault holding the cluster's superuser connection as secret 'admin', the
// cluster registered as flexible server 'pgflex', and (given a policy, else the default one) the
// server protected with the vault identity once update-msi-permissions granted it what it needs.
import type { PgCluster } from './pg-cluster.ts';
import type { ShellSession } from './shell.ts';

export const FLEX = '--datasource-type AzureDatabaseForPostgreSQLFlexibleServer';

/** Group, vault and key vault; returns the subscription id. */
export async function createFlexResources(ok: ShellSession['ok'], cluster: PgCluster, keyVault: string): Promise<string> {
  const sub = (await ok('dpvault account show')).id as string;
  await ok('dpvault group create -n rg -l westus');
  await ok('dpvault backup-vault create -g rg -v vault -l westus --type SystemAssigned --storage-settings datastore-type=VaultStore type=LocallyRedundant');
  await ok(`dpvault keyvault create -g rg -n ${keyVault} -l westus`);
  await ok(`dpvault keyvault secret set --vault-name ${keyVault} -n admin --value "${cluster.connectionString('postgres')}" -o none`);
  await ok(`dpvault postgres flexible-server create -g rg -n pgflex --host 127.0.0.1 --port ${cluster.port} --admin-secret-uri https://${keyVault}.vault.azure.net/secrets/admin`);
  return sub;
}

/** Protects server pgflex with the policy `policyId` (default: the default template's); returns the instance's name. */
export async function protectFlexServer(ok: ShellSession['ok'], sub: string, policyId?: string): Promise<string> {
  if (!policyId) {
    await ok(`dpvault backup-policy get-default-policy-template ${FLEX} > flexpolicy.json`);
    policyId = (await ok('dpvault backup-policy create -g rg --vault-name vault -n flexpol --policy flexpolicy.json')).id as string;
  }
  const serverId = `/subscriptions/${sub}/resourceGroups/rg/providers/Microsoft.DBforPostgreSQL/flexibleServers/pgflex`;
  await ok(`dpvault backup-instance initialize ${FLEX} --datasource-id ${serverId} -l westus --policy-id ${policyId} > bi.json`);
  await ok(`dpvault backup-instance update-msi-permissions ${FLEX} --operation Backup --permissions-scope Resource -g rg -v vault --backup-instance bi.json --yes`);
  return (await ok('dpvault backup-instance create -g rg -v vault --backup-instance bi.json')).name as string;
}
