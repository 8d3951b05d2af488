// A set of real resources created over the API (a resource group holding a Backup vault with a
// policy, a key vault with a secret and a registered PostgreSQL server), their paths and bodies.
import assert from 'node:assert/strict';
import { getDefaultPolicyTemplate } from '../../src/policy/template.ts';
import type { TestService } from './service.ts';

export const API = { resources: '2024-11-01', subscriptions: '2022-12-01', dataprotection: '2026-03-01', keyvault: '2024-11-01', postgres: '2017-12-01', authorization: '2022-04-01', insights: '2015-04-01', alerts: '2019-05-05-preview' } as const;

export interface ResourceNames {
  rg: string;
  vault: string;
  policy: string;
  kv: string;
  secret: string;
  server: string;
}

export interface ResourceSpec {
  kind: keyof ResourceNames;
  path: string;
  apiVersion: string;
  body: Record<string, unknown>;
}

/** The resources, parents first, with the bodies that create them. */
export function resourceSpecs(sub: string, n: ResourceNames): ResourceSpec[] {
  const rg = `/subscriptions/${sub}/resourceGroups/${n.rg}`;
  const vault = `${rg}/providers/Microsoft.DataProtection/backupVaults/${n.vault}`;
  const kv = `${rg}/providers/Microsoft.KeyVault/vaults/${n.kv}`;
  return [
    { kind: 'rg', path: rg, apiVersion: API.resources, body: { location: 'westus', tags: { team: 'dba' } } },
    {
      kind: 'vault',
      path: vault,
      apiVersion: API.dataprotection,
      body: {
        location: 'westus',
        identity: { type: 'SystemAssigned' },
        properties: { storageSettings: [{ datastoreType: 'VaultStore', type: 'LocallyRedundant' }] },
      },
    },
    {
      kind: 'policy',
      path: `${vault}/backupPolicies/${n.policy}`,
      apiVersion: API.dataprotection,
      body: { properties: getDefaultPolicyTemplate('AzureDatabaseForPostgreSQL') },
    },
    { kind: 'kv', path: kv, apiVersion: API.keyvault, body: { location: 'westus', properties: { sku: { family: 'A', name: 'standard' } } } },
    { kind: 'secret', path: `${kv}/secrets/${n.secret}`, apiVersion: API.keyvault, body: { properties: { value: 'Server=127.0.0.1;Password=fuzz-s3cret' } } },
    {
      kind: 'server',
      path: `${rg}/providers/Microsoft.DBforPostgreSQL/servers/${n.server}`,
      apiVersion: API.postgres,
      body: { location: 'westus', properties: { fullyQualifiedDomainName: '127.0.0.1', port: 5432 } },
    },
  ];
}

/** PUTs every resource (again: a PUT of the same body is harmless) and waits for their operations. */
export async function createResources(svc: TestService, sub: string, n: ResourceNames): Promise<ResourceSpec[]> {
  const specs = resourceSpecs(sub, n);
  for (const s of specs) {
    const res = await svc.http('PUT', s.path, s.body, s.apiVersion);
    assert.ok(res.status === 200 || res.status === 201, `PUT ${s.path}: ${res.status} ${JSON.stringify(res.body)}`);
  }
  await svc.ctx.background.idle();
  return specs;
}

export async function subscriptionOf(svc: TestService): Promise<string> {
  return (await svc.http('GET', '/subscriptions', undefined, API.resources)).body.value[0].subscriptionId as string;
}
