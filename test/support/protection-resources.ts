// What every protection test creates through the CLI before its first backup instance: group rg,
// vault 'vault' with a system identity, the default PostgreSQL policy 'pol', the server 'pgsrv'
// registered at a cluster's port, and a key vault; and protecting a database of that server with one
// backup taken.
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ShellSession } from './shell.ts';

/** `vaultSettings`: the vault's storage settings (and more flags of backup-vault create). */
export async function createProtectionResources(
  ok: ShellSession['ok'], port: number, keyVault: string, vaultSettings = 'datastore-type=VaultStore type=LocallyRedundant',
): Promise<{ sub: string; policyId: string }> {
  const sub = (await ok('dpvault account show')).id as string;
  await ok('dpvault group create -n rg -l westus');
  await ok(`dpvault backup-vault create -g rg -v vault -l westus --type SystemAssigned --storage-settings ${vaultSettings}`);
  await ok('dpvault backup-policy get-default-policy-template --datasource-type AzureDatabaseForPostgreSQL > policy.json');
  const policyId = (await ok('dpvault backup-policy create -g rg --vault-name vault -n pol --policy policy.json')).id as string;
  await ok(`dpvault postgres server create -g rg -n pgsrv --host 127.0.0.1 --port ${port}`);
  await ok(`dpvault keyvault create -g rg -n ${keyVault} -l westus`);
  return { sub, policyId };
}

/** Protects database `db` of server pgsrv in vault `vault` as instance `name` (its connection string in the key vault's secret `pg`). */
export async function protectDatabase(
  session: ShellSession, cwd: string, o: { sub: string; policyId: string; keyVault: string; name: string; db?: string },
): Promise<void> {
  const { ok } = session;
  const dbId = `/subscriptions/${o.sub}/resourceGroups/rg/providers/Microsoft.DBforPostgreSQL/servers/pgsrv/databases/${o.db ?? 'shop'}`;
  await ok(`dpvault backup-instance initialize --datasource-id ${dbId} --datasource-type AzureDatabaseForPostgreSQL -l westus --policy-id ${o.policyId} --secret-store-type AzureKeyVault --secret-store-uri https://${o.keyVault}.vault.azure.net/secrets/pg > bi.json`);
  const bi = JSON.parse(readFileSync(join(cwd, 'bi.json'), 'utf8'));
  writeFileSync(join(cwd, 'bi.json'), JSON.stringify({ ...bi, backup_instance_name: o.name }));
  await ok('dpvault backup-instance create -g rg -v vault --backup-instance bi.json');
}

/** Stores the connection string as the key vault's secret `pg` and lets the vault's identity read it. */
export async function storeConnectionSecret(session: ShellSession, keyVault: string, connection: string): Promise<void> {
  const { ok, sh } = session;
  await ok(`dpvault keyvault secret set --vault-name ${keyVault} -n pg --value "${connection}" -o none`);
  const principal = (await sh('dpvault backup-vault show -g rg -v vault --query identity.principalId -o tsv')).stdout.trim();
  await ok(`dpvault keyvault set-policy -n ${keyVault} --object-id ${principal} --secret-permissions get list -o none`);
}

/**
 * Protects database `db` of server pgsrv in vault `vault` as instance `name` (its connection string
 * in the key vault's secret `pg`) and takes one backup; returns the recovery point's name.
 */
export async function protectAndBackUp(
  session: ShellSession, cwd: string, o: { sub: string; policyId: string; keyVault: string; name: string; db?: string },
): Promise<string> {
  const { ok, sh, waitJob } = session;
  const G = '-g rg -v vault';
  await protectDatabase(session, cwd, o);
  const job = await waitJob((await ok(`dpvault backup-instance adhoc-backup -n ${o.name} ${G} --rule-name BackupWeekly`)).jobId);
  assert.equal(job.properties.status, 'Completed', JSON.stringify(job.properties.errorDetails));
  return (await sh(`dpvault recovery-point list --backup-instance-name ${o.name} ${G} --query "[0].name" -o tsv`)).stdout.trim();
}
