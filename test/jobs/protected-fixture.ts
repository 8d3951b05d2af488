// A service context on a temporary data directory with a ManualClock, a vault, the seed's final
// policy and one protected backup instance written straight into the (real, SQLite) catalog, and
// recovery points whose bytes go through the real store. For tests of the scheduler and the
// retention worker that need no PostgreSQL.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { openContext, type ServiceOptions } from '../../src/app.ts';
import { INSTANCE_TYPE, RECOVERY_POINT_TYPE, type BackupInstanceResource } from '../../src/domain/backup-instance.ts';
import type { BackupPolicyProperties, PolicyResource, TargetCopySetting } from '../../src/domain/policy.ts';
import { retentionTimeline } from '../../src/policy/retention.ts';
import type { ServiceContext } from '../../src/services/context.ts';
import { retentionRuleForTag } from '../../src/policy/policy-rules.ts';
import { buildRecoveryPoint, saveRecoveryPoint } from '../../src/services/recovery-points.ts';
import type { RecoveryPointResource } from '../../src/domain/recovery-point.ts';
import { startScheduleNow } from '../../src/services/schedule-state.ts';
import { vaultStoreKey, type StoredDump } from '../../src/domain/recovery-point-store.ts';
import { ManualClock } from '../../src/util/clock.ts';
import { newHexId } from '../../src/util/ids.ts';

const store = (t: string) => ({ dataStoreType: t, objectType: 'DataStoreInfoBase' as const });
const lifecycle = (source: string, duration: string, copies: TargetCopySetting[] = []) => ({
  deleteAfter: { objectType: 'AbsoluteDeleteOption' as const, duration }, sourceDataStore: store(source), targetDataStoreCopySettings: copies,
});

/** The seed's final policy: Sun/Wed/Fri 22:00 UTC; Default P3M; Monthly (FirstOfMonth) P6M vault then P24M archive. */
export function seedPolicy(intervals = ['R/2021-08-15T22:00:00+00:00/P1W', 'R/2021-08-18T22:00:00+00:00/P1W', 'R/2021-08-20T22:00:00+00:00/P1W']): BackupPolicyProperties {
  return {
    datasourceTypes: ['Microsoft.DBforPostgreSQL/servers/databases'],
    objectType: 'BackupPolicy',
    policyRules: [
      {
        name: 'BackupWeekly', objectType: 'AzureBackupRule',
        backupParameters: { backupType: 'Full', objectType: 'AzureBackupParams' }, dataStore: store('VaultStore'),
        trigger: {
          objectType: 'ScheduleBasedTriggerContext',
          schedule: { repeatingTimeIntervals: intervals, timeZone: 'UTC' },
          taggingCriteria: [
            { isDefault: true, tagInfo: { id: 'Default_', tagName: 'Default' }, taggingPriority: 99 },
            { isDefault: false, tagInfo: { id: 'Monthly_', tagName: 'Monthly' }, taggingPriority: 15, criteria: [{ objectType: 'ScheduleBasedBackupCriteria', absoluteCriteria: ['FirstOfMonth'] }] },
          ],
        },
      },
      { name: 'Default', objectType: 'AzureRetentionRule', isDefault: true, lifecycles: [lifecycle('VaultStore', 'P3M')] },
      {
        name: 'Monthly', objectType: 'AzureRetentionRule', isDefault: false,
        lifecycles: [lifecycle('VaultStore', 'P6M', [{ dataStore: store('ArchiveStore'), copyAfter: { objectType: 'CopyOnExpiryOption' } }]), lifecycle('ArchiveStore', 'P24M')],
      },
    ],
  };
}

export interface Fixture {
  ctx: ServiceContext;
  clock: ManualClock;
  dataDir: string;
  vaultId: string;
  instanceId: string;
  policyId(name?: string): string;
  putPolicy(name: string, properties: BackupPolicyProperties): Promise<void>;
  instance(): Promise<BackupInstanceResource>;
  setInstance(change: (i: BackupInstanceResource) => void): Promise<void>;
  /** A recovery point made at `time` with `tag`, timeline from the instance's policy, bytes in VaultStore. */
  addPoint(time: string, tag: string, content?: string): Promise<RecoveryPointResource>;
  point(name: string): Promise<RecoveryPointResource | undefined>;
  points(): Promise<RecoveryPointResource[]>;
  /** The bytes of a stored dump, or null when they are gone. */
  bytes(ref: StoredDump): Promise<string | null>;
  /** Re-opens the catalog on the same directory (a restart). */
  reopen(): Promise<void>;
  close(): Promise<void>;
}

/** `service`: options of the service the fixture opens (a repack budget, an object store, say). */
export async function protectedFixture(start: string, policy = seedPolicy(), service: Pick<ServiceOptions, 'repackBudgetBytes' | 'storage' | 'rehydrationPollMs'> = {}): Promise<Fixture> {
  const dataDir = mkdtempSync(join(tmpdir(), 'dpvault-fixture-'));
  const clock = new ManualClock(start);
  const f = { ctx: await openContext({ dataDir, clock, ...service }) } as { ctx: ServiceContext };
  const sub = f.ctx.subscriptionId;
  const vaultId = `/subscriptions/${sub}/resourceGroups/rg/providers/Microsoft.DataProtection/backupVaults/vault`;
  const instanceId = `${vaultId}/backupInstances/pgsrv-appdb`;
  const policyId = (name = 'pol') => `${vaultId}/backupPolicies/${name}`;
  const putPolicy = (name: string, properties: BackupPolicyProperties) =>
    f.ctx.catalog.putResource({
      id: policyId(name), type: 'Microsoft.DataProtection/backupVaults/backupPolicies', parentId: vaultId,
      body: { id: policyId(name), name, type: 'Microsoft.DataProtection/backupVaults/backupPolicies', resourceGroup: 'rg', systemData: null, properties },
    });
  await f.ctx.catalog.putResource({
    id: vaultId, type: 'Microsoft.DataProtection/backupVaults', parentId: `/subscriptions/${sub}/resourceGroups/rg`,
    body: { id: vaultId, name: 'vault', type: 'Microsoft.DataProtection/backupVaults', location: 'westus', resourceGroup: 'rg', properties: {} },
  });
  await putPolicy('pol', policy);
  const dbId = `/subscriptions/${sub}/resourceGroups/rg/providers/Microsoft.DBforPostgreSQL/servers/pgsrv/databases/appdb`;
  const instance: BackupInstanceResource = {
    id: instanceId, name: 'pgsrv-appdb', type: INSTANCE_TYPE, tags: null,
    properties: {
      friendlyName: 'pgsrv/appdb',
      dataSourceInfo: { datasourceType: 'Microsoft.DBforPostgreSQL/servers/databases', objectType: 'Datasource', resourceID: dbId, resourceLocation: 'westus', resourceName: 'appdb', resourceType: 'Microsoft.DBforPostgreSQL/servers/databases', resourceUri: '' },
      dataSourceSetInfo: null,
      policyInfo: { policyId: policyId() },
      protectionStatus: { status: 'ProtectionConfigured', errorDetails: null },
      currentProtectionState: 'ProtectionConfigured',
      protectionErrorDetails: null,
      provisioningState: 'Succeeded',
      datasourceAuthCredentials: null,
      validationType: null,
      objectType: 'BackupInstance',
    },
  };
  const saveInstance = (i: BackupInstanceResource) => f.ctx.catalog.putResource({ id: i.id, type: INSTANCE_TYPE, parentId: vaultId, body: { ...i } });
  await saveInstance(instance);
  await startScheduleNow(f.ctx, instanceId);
  const getInstance = async () => (await f.ctx.catalog.getResource<BackupInstanceResource>(instanceId))!.body;
  return {
    get ctx() {
      return f.ctx;
    },
    clock,
    dataDir,
    vaultId,
    instanceId,
    policyId,
    putPolicy,
    instance: getInstance,
    async setInstance(change) {
      const i = await getInstance();
      change(i);
      await saveInstance(i);
    },
    async addPoint(time, tag, content = `dump of ${time}`) {
      const pol = (await f.ctx.catalog.getResource<PolicyResource>((await getInstance()).properties.policyInfo.policyId))!.body;
      const id = newHexId();
      const stored = await f.ctx.store.write({ vaultKey: vaultStoreKey(vaultId), datastore: 'VaultStore', recoveryPointId: id }, Readable.from([Buffer.from(content)]));
      const rp = buildRecoveryPoint({
        instanceId, recoveryPointId: id, time: new Date(time), tag, policyName: pol.name,
        timeline: retentionTimeline(retentionRuleForTag(pol, tag), new Date(time), 'UTC'),
        stored, serverMajorVersion: 17, database: 'appdb', metaData: { objectType: 'PostgresBackupMetadata' },
      });
      await saveRecoveryPoint(f.ctx, rp);
      return rp;
    },
    async point(name) {
      return (await f.ctx.catalog.getResource<RecoveryPointResource>(`${instanceId}/recoveryPoints/${name}`))?.body;
    },
    async points() {
      return (await f.ctx.catalog.listResources<RecoveryPointResource>({ type: RECOVERY_POINT_TYPE, parentId: instanceId })).items.map((r) => r.body);
    },
    async bytes(stored) {
      const chunks: Buffer[] = [];
      try {
        for await (const c of f.ctx.store.read(stored, 'x')) chunks.push(c as Buffer);
      } catch {
        return null;
      }
      const text = Buffer.concat(chunks);
      return text.length === stored.size ? text.toString() : null;
    },
    async reopen() {
      await f.ctx.catalog.close();
      f.ctx = await openContext({ dataDir, clock, ...service });
    },
    async close() {
      await f.ctx.catalog.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
