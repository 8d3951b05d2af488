// Backup policies: stored under their vault after the policy engine has validated them.
import { errors } from '../domain/errors.ts';
import { shortenedRetention } from '../policy/retention-change.ts';
import { validateAndNormalizePolicy } from '../policy/validate.ts';
import { INSTANCE_TYPE, type BackupInstanceResource } from '../domain/backup-instance.ts';
import { POLICY_TYPE, type PolicyResource } from '../domain/policy.ts';
import type { BackupVault } from '../domain/vault.ts';
import type { ServiceContext } from './context.ts';
import { getVault } from './vaults.ts';

const POLICY_NAME = /^[A-Za-z0-9][-A-Za-z0-9_]{0,149}$/;

const policyId = (vaultId: string, name: string) => `${vaultId}/backupPolicies/${name}`;

export async function getPolicy(ctx: ServiceContext, sub: string, rg: string, vault: string, name: string): Promise<PolicyResource> {
  const v = await getVault(ctx, sub, rg, vault);
  const found = await ctx.catalog.getResource<PolicyResource>(policyId(v.id, name));
  if (!found) throw errors.policyNotFound(name, v.name);
  return found.body;
}

/** Creates or replaces a policy; a shorter retention than before is stored only once `approveShortening` (the resource guard's check) passes. */
export async function putPolicy(
  ctx: ServiceContext, sub: string, rg: string, vault: string, name: string, body: unknown,
  approveShortening: (vault: BackupVault) => Promise<void> = async () => {},
): Promise<PolicyResource> {
  const v = await getVault(ctx, sub, rg, vault);
  if (!POLICY_NAME.test(name)) {
    throw errors.resourceNameInvalid(`The policy name '${name}' is invalid: use letters, digits, '-' and '_', starting with a letter or digit.`);
  }
  const props = (body as { properties?: unknown } | null)?.properties;
  if (props === undefined || props === null || typeof props !== 'object') {
    throw errors.policyInvalid('The request body must be {"properties": <backup policy>}.', 'properties');
  }
  const properties = validateAndNormalizePolicy(props);
  const id = policyId(v.id, name);
  const existing = await ctx.catalog.getResource<PolicyResource>(id);
  const policy: PolicyResource = {
    id: existing?.body.id ?? id,
    name: existing?.body.name ?? name,
    type: POLICY_TYPE,
    resourceGroup: v.resourceGroup,
    systemData: null,
    properties,
  };
  if (existing && shortenedRetention(existing.body, policy)) await approveShortening(v);
  await ctx.catalog.putResource({ id: policy.id, type: POLICY_TYPE, parentId: v.id, body: { ...policy } });
  return policy;
}

export async function listPolicies(ctx: ServiceContext, sub: string, rg: string, vault: string): Promise<PolicyResource[]> {
  const v = await getVault(ctx, sub, rg, vault);
  const page = await ctx.catalog.listResources<PolicyResource>({ type: POLICY_TYPE, parentId: v.id });
  return page.items.map((r) => r.body);
}

/** Deletes a policy no backup instance uses; returns false when there was none. */
export async function deletePolicy(ctx: ServiceContext, sub: string, rg: string, vault: string, name: string): Promise<boolean> {
  const v = await getVault(ctx, sub, rg, vault);
  const id = policyId(v.id, name);
  const found = await ctx.catalog.getResource<PolicyResource>(id);
  if (!found) return false;
  const instances = await ctx.catalog.listResources<BackupInstanceResource>({ type: INSTANCE_TYPE, parentId: v.id });
  const users = instances.items.filter((i) => i.body.properties.policyInfo?.policyId?.toLowerCase() === found.id.toLowerCase());
  if (users.length) {
    throw errors.policyInUse(
      `The backup policy '${found.body.name}' is used by backup instance(s) ${users.map((u) => `'${u.body.name}'`).join(', ')}. ` +
        'Assign them another policy or delete them first.',
    );
  }
  return ctx.catalog.deleteResource(id);
}
