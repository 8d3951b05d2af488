// Backup instances: validation before protection, create, read, list, policy changes and the
// protection state actions (stop, suspend, resume).
import { errors } from '../domain/errors.ts';
import { checkTags } from '../domain/tags.ts';
import {
  type BackupInstanceProperties, type BackupInstanceResource, INSTANCE_TYPE, field, readCredentials, readDatasource,
} from '../domain/backup-instance.ts';
import { resourceKey } from '../domain/resource-id.ts';
import type { BackupVault } from '../domain/vault.ts';
import { findManifest } from '../datasources/registry.ts';
import type { ServiceContext } from './context.ts';
import type { ConnectionReport } from './connection-endpoint.ts';
import { checkDatabaseForBackup, connectionFor } from './datasource-access.ts';
import { checkServerForBackup, serverAccessFor } from './server-access.ts';
import type { PolicyResource } from '../domain/policy.ts';
import { applyPolicyToRecoveryPoints, listPointsOf, withPolicy } from './recovery-point-retention.ts';
import { startScheduleNow } from './schedule-state.ts';
import { getVault } from './vaults.ts';
import { checkNameNotSoftDeleted } from './deleted-instances.ts';
import { checkNoShortening } from '../domain/immutability.ts';
import { shortenedRetention } from '../policy/retention-change.ts';

const NAME = /^[A-Za-z0-9][-A-Za-z0-9_.]{0,199}$/;

/** Reads a client's backup instance properties leniently and fills what the service fills. */
export function readInstanceProperties(value: unknown): BackupInstanceProperties {
  if (!value || typeof value !== 'object') throw errors.requestParameterInvalid('The backup instance has no properties.', 'properties');
  const dataSourceInfo = readDatasource(field(value, 'dataSourceInfo'), 'properties.dataSourceInfo', 'Datasource');
  const setInfo = field(value, 'dataSourceSetInfo');
  const policyInfo = field(value, 'policyInfo');
  const policyId = field(policyInfo, 'policyId');
  if (typeof policyId !== 'string' || !policyId) {
    throw errors.requestParameterInvalid('properties.policyInfo.policyId is required.', 'properties.policyInfo.policyId');
  }
  const friendly = field(value, 'friendlyName');
  return {
    friendlyName: typeof friendly === 'string' && friendly ? friendly : dataSourceInfo.resourceName,
    dataSourceInfo,
    dataSourceSetInfo: setInfo ? readDatasource(setInfo, 'properties.dataSourceSetInfo', 'DatasourceSet') : null,
    policyInfo: { policyId },
    protectionStatus: { status: 'ProtectionConfigured', errorDetails: null },
    currentProtectionState: 'ProtectionConfigured',
    protectionErrorDetails: null,
    provisioningState: 'Succeeded',
    datasourceAuthCredentials: readCredentials(field(value, 'datasourceAuthCredentials'), 'properties.datasourceAuthCredentials'),
    validationType: null,
    objectType: 'BackupInstance',
  };
}

/** The policy a backup instance names, which must live in the same vault and suit the datasource. */
export async function policyFor(ctx: ServiceContext, vault: BackupVault, props: BackupInstanceProperties): Promise<PolicyResource> {
  const found = await ctx.catalog.getResource<PolicyResource>(props.policyInfo.policyId);
  if (!found || !resourceKey(found.id).startsWith(`${resourceKey(vault.id)}/`)) {
    throw errors.instancePolicyNotFound(
      `The backup policy '${props.policyInfo.policyId}' does not exist in the Backup vault '${vault.name}'.`,
      'properties.policyInfo.policyId',
    );
  }
  const manifest = findManifest(props.dataSourceInfo.datasourceType || props.dataSourceInfo.resourceType);
  const policyTypes = found.body.properties.datasourceTypes ?? [];
  if (!manifest || !policyTypes.some((t) => findManifest(t) === manifest)) {
    throw errors.datasourcePolicyTypeMismatch(
      `The backup policy '${found.body.name}' is for ${policyTypes.join(', ')}, not for the datasource type '${props.dataSourceInfo.datasourceType}'.`,
      'properties.policyInfo.policyId',
    );
  }
  return found.body;
}

/** What a passed validation says: how the database was reached (and from where), and what to look at. */
export interface ValidationResult {
  datasourceConnection: ConnectionReport;
  warnings: string[];
}

/** Azure's validateForBackup: everything that must hold before a database is protected. */
export async function validateForBackup(
  ctx: ServiceContext, vault: BackupVault, props: BackupInstanceProperties, selfId?: string,
): Promise<ValidationResult> {
  const manifest = findManifest(props.dataSourceInfo.datasourceType || props.dataSourceInfo.resourceType);
  if (!manifest) {
    throw errors.datasourceTypeUnsupported(`Datasource type '${props.dataSourceInfo.datasourceType}' is not supported; dpvault protects PostgreSQL databases.`);
  }
  await policyFor(ctx, vault, props);
  await checkNotProtectedElsewhere(ctx, props.dataSourceInfo.resourceID, selfId);
  if (manifest.backupScope === 'Server') {
    const server = await serverAccessFor(ctx, vault, manifest, props.dataSourceInfo.resourceID, 'Backup');
    await checkServerForBackup(server);
    return { datasourceConnection: server.report, warnings: server.warnings };
  }
  const uri = props.datasourceAuthCredentials?.secretStoreResource.uri;
  if (manifest.supportSecretStoreAuthentication && !uri) {
    throw errors.secretStoreCredentialsMissing(
      'The backup instance has no datasourceAuthCredentials: give --secret-store-type AzureKeyVault and --secret-store-uri to backup-instance initialize.',
    );
  }
  const db = await connectionFor(ctx, vault, props.dataSourceInfo.resourceID, uri!);
  await checkDatabaseForBackup(db);
  return { datasourceConnection: db.report, warnings: db.warnings };
}

async function checkNotProtectedElsewhere(ctx: ServiceContext, datasourceId: string, selfId?: string): Promise<void> {
  const all = await ctx.catalog.listResources<BackupInstanceResource>({ type: INSTANCE_TYPE, idPrefix: `/subscriptions/${ctx.subscriptionId}/` });
  const other = all.items.find(
    (i) => resourceKey(i.body.properties.dataSourceInfo.resourceID) === resourceKey(datasourceId) && (!selfId || resourceKey(i.id) !== resourceKey(selfId)),
  );
  if (!other) return;
  const vaultOfOther = other.id.split('/backupInstances/')[0]!;
  throw errors.datasourceAlreadyProtected(vaultOfOther, other.body.name);
}

export async function getInstance(ctx: ServiceContext, sub: string, rg: string, vault: string, name: string): Promise<BackupInstanceResource> {
  const v = await getVault(ctx, sub, rg, vault);
  const found = await ctx.catalog.getResource<BackupInstanceResource>(`${v.id}/backupInstances/${name}`);
  if (!found) throw errors.backupInstanceNotFound(name, v.name);
  return found.body;
}

export async function listInstances(ctx: ServiceContext, sub: string, rg: string, vault: string): Promise<BackupInstanceResource[]> {
  const v = await getVault(ctx, sub, rg, vault);
  return (await ctx.catalog.listResources<BackupInstanceResource>({ type: INSTANCE_TYPE, parentId: v.id })).items.map((r) => r.body);
}

export async function listAllInstances(ctx: ServiceContext): Promise<BackupInstanceResource[]> {
  const page = await ctx.catalog.listResources<BackupInstanceResource>({ type: INSTANCE_TYPE, idPrefix: `/subscriptions/${ctx.subscriptionId}/` });
  return page.items.map((r) => r.body);
}

/**
 * PUT of a backup instance. A new one is validated in full before anything is stored; an existing
 * one may change its policy (update-policy) and tags, nothing else.
 */
export async function putInstance(
  ctx: ServiceContext, sub: string, rg: string, vaultName: string, name: string, body: unknown,
  /** The resource guard's check, asked when the new policy keeps points for less time than the old. */
  approveShortening: (vault: BackupVault) => Promise<void> = async () => {},
): Promise<{ instance: BackupInstanceResource; created: boolean }> {
  const vault = await getVault(ctx, sub, rg, vaultName);
  if (!NAME.test(name)) throw errors.resourceNameInvalid(`The backup instance name '${name}' is invalid.`);
  const id = `${vault.id}/backupInstances/${name}`;
  const props = readInstanceProperties(field(body, 'properties'));
  const tags = checkTags(field(body, 'tags'), errors.requestParameterInvalid) ?? null;
  const existing = (await ctx.catalog.getResource<BackupInstanceResource>(id))?.body;
  if (existing) {
    if (resourceKey(existing.properties.dataSourceInfo.resourceID) !== resourceKey(props.dataSourceInfo.resourceID)) {
      throw errors.requestParameterInvalid('The datasource of an existing backup instance cannot change.', 'properties.dataSourceInfo.resourceID');
    }
    const policy = await policyFor(ctx, vault, props);
    const instance: BackupInstanceResource = structuredClone(existing);
    instance.properties.policyInfo = { policyId: props.policyInfo.policyId };
    if (props.datasourceAuthCredentials) instance.properties.datasourceAuthCredentials = props.datasourceAuthCredentials;
    instance.tags = tags ?? existing.tags;
    const policyChanges = resourceKey(existing.properties.policyInfo.policyId) !== resourceKey(policy.id);
    if (policyChanges) {
      const before = await listPointsOf(ctx, instance.id);
      const was = (await ctx.catalog.getResource<PolicyResource>(existing.properties.policyInfo.policyId))?.body;
      if (!was || shortenedRetention(was, policy)) await approveShortening(vault);
      checkNoShortening(vault, before, before.map((p) => withPolicy(p, policy)), `changing the policy of backup instance '${name}' to '${policy.name}'`);
    }
    await saveExistingInstance(ctx, vault, instance);
    if (policyChanges) {
      // update-policy: the new schedule starts now and the new retention applies to existing points.
      await startScheduleNow(ctx, instance.id);
      await applyPolicyToRecoveryPoints(ctx, instance, policy);
    }
    return { instance, created: false };
  }
  await checkNameNotSoftDeleted(ctx, vault, id);
  await validateForBackup(ctx, vault, props);
  const instance: BackupInstanceResource = { id, name, type: INSTANCE_TYPE, tags, properties: props };
  await startScheduleNow(ctx, id);
  await saveInstance(ctx, vault, instance);
  return { instance, created: true };
}

export async function saveInstance(ctx: ServiceContext, vault: BackupVault, instance: BackupInstanceResource): Promise<void> {
  await ctx.catalog.putResource({ id: instance.id, type: INSTANCE_TYPE, parentId: vault.id, body: { ...instance } });
}

/** Saves a change of an existing instance, unless it was deleted meanwhile (it is not brought back). */
async function saveExistingInstance(ctx: ServiceContext, vault: BackupVault, instance: BackupInstanceResource): Promise<void> {
  await ctx.catalog.transaction(async () => {
    if (!(await ctx.catalog.getResource(instance.id))) throw errors.backupInstanceNotFound(instance.name, vault.name);
    await saveInstance(ctx, vault, instance);
  });
}

/** After undelete: the points' shown expiry follows the stopped state (kept), when the policy still exists. */
export async function refreshAfterUndelete(ctx: ServiceContext, vault: BackupVault, instance: BackupInstanceResource): Promise<void> {
  const policy = await policyFor(ctx, vault, instance.properties).catch(() => undefined);
  if (policy) await applyPolicyToRecoveryPoints(ctx, instance, policy);
}

const STATES = {
  stopProtection: { from: ['ProtectionConfigured', 'BackupsSuspended'], to: 'ProtectionStopped' },
  suspendBackups: { from: ['ProtectionConfigured'], to: 'BackupsSuspended' },
  resumeProtection: { from: ['ProtectionStopped', 'BackupsSuspended'], to: 'ProtectionConfigured' },
  resumeBackups: { from: ['BackupsSuspended', 'ProtectionStopped'], to: 'ProtectionConfigured' },
} as const;

export type ProtectionAction = keyof typeof STATES;

/** Checks that an action applies to the instance's state (before the operation starts). */
export function checkAction(instance: BackupInstanceResource, action: ProtectionAction): string {
  const rule = STATES[action];
  const state = instance.properties.currentProtectionState;
  if (state === rule.to) return rule.to;
  if (!(rule.from as readonly string[]).includes(state)) {
    throw errors.protectionStateForbids(`'${action}' cannot be applied to backup instance '${instance.name}' while it is ${state}.`);
  }
  return rule.to;
}

/**
 * Moves the instance to a protection state. Resuming starts the schedule afresh (occurrences while
 * it was stopped are not "missed"); the policy is re-applied to the retained recovery points and the
 * retention worker treats them by state (reference §3.8): stopped keeps all forever,
 * suspended keeps them by policy and the latest forever.
 */
export async function setProtectionState(ctx: ServiceContext, vault: BackupVault, instance: BackupInstanceResource, state: string): Promise<void> {
  const next = structuredClone(instance);
  next.properties.currentProtectionState = state;
  // The last backup's error stays shown until a backup completes (protection-health.ts).
  const error = instance.properties.protectionErrorDetails ?? null;
  const status = state === 'BackupsSuspended' ? 'ProtectionStopped' : state === 'ProtectionConfigured' && error ? 'ProtectionError' : state;
  next.properties.protectionStatus = { status, errorDetails: error };
  const resumed = state === 'ProtectionConfigured' && instance.properties.currentProtectionState !== state;
  if (resumed) await startScheduleNow(ctx, instance.id);
  await saveExistingInstance(ctx, vault, next);
  // Re-applied on every change, so the expiry times shown follow the state at once.
  await applyPolicyToRecoveryPoints(ctx, next, await policyFor(ctx, vault, next.properties));
}
