// Actions on a backup instance: on-demand backup, restore (and its validation), and the
// protection state changes. Each is a long-running operation; backup and restore return a job id.
import { conflict, invalid } from '../../domain/errors.ts';
import { field, type BackupInstanceResource } from '../../domain/backup-instance.ts';
import { backupRuleOf, retentionRulesOf, type PolicyLike } from '../../policy/policy-rules.ts';
import { chooseAdhocTag } from '../../policy/tagging.ts';
import { checkAction, getInstance, policyFor, setProtectionState, type ProtectionAction } from '../../services/backup-instances.ts';
import type { ServiceContext } from '../../services/context.ts';
import { createJob, listJobs } from '../../services/jobs.ts';
import { startOperation } from '../../services/operations.ts';
import { planRestore } from '../../services/restores.ts';
import { queueTask } from '../../services/tasks.ts';
import { getVault } from '../../services/vaults.ts';
import type { ApiRequest, ApiResponse } from '../http.ts';
import type { Router } from '../router.ts';
import { INSTANCE_PATH } from './backup-instances.ts';
import { operationHeaders, operationUrls } from './operations.ts';

const accepted = (req: ApiRequest<'sub'>, location: string, opId: string): ApiResponse => ({
  status: 202,
  headers: operationHeaders(req, operationUrls.location(req.params.sub, location, opId)),
});

export function registerInstanceActionRoutes(router: Router): void {
  const load = async (req: ApiRequest<'sub' | 'rg' | 'vault' | 'instance'>) => {
    const vault = await getVault(req.ctx, req.params.sub, req.params.rg, req.params.vault);
    const instance = await getInstance(req.ctx, req.params.sub, req.params.rg, req.params.vault, req.params.instance);
    return { vault, instance };
  };

  router.add('POST', `${INSTANCE_PATH}/backup`, async (req) => {
    const { vault, instance } = await load(req);
    const state = instance.properties.currentProtectionState;
    if (state !== 'ProtectionConfigured') {
      throw invalid('UserErrorInvalidOperationForProtectionState', `Backup instance '${instance.name}' is ${state}; resume protection before taking a backup.`);
    }
    await checkNoRunningBackup(req.ctx, vault.id, instance);
    const policy = await policyFor(req.ctx, vault, instance.properties);
    const options = field(req.body, 'backupRuleOptions');
    const ruleName = String(field(options, 'ruleName') ?? '');
    const override = field(field(options, 'triggerOption'), 'retentionTagOverride') as string | undefined;
    const tag = resolveAdhocTag(policy, ruleName, override);
    const job = await createJob(req.ctx, {
      vault, instance, policy: { id: policy.id, name: policy.name }, category: 'Backup', isUserTriggered: true, taskName: 'Trigger Backup',
      additionalDetails: { RetentionTag: tag },
    });
    await queueTask(req.ctx, 'backup', { jobId: job.id, retentionTagOverride: tag });
    const op = await startOperation(req.ctx, instance.id, async () => ({ jobId: job.id, objectType: 'OperationJobExtendedInfo' }));
    return accepted(req, vault.location, op.id);
  });

  router.add('POST', `${INSTANCE_PATH}/validateRestore`, async (req) => {
    const { vault, instance } = await load(req);
    const body = field(req.body, 'restoreRequestObject') ?? req.body;
    const op = await startOperation(req.ctx, instance.id, async () => {
      await planRestore(req.ctx, vault, instance, body);
      return { objectType: 'OperationJobExtendedInfo' };
    });
    return accepted(req, vault.location, op.id);
  });

  router.add('POST', `${INSTANCE_PATH}/restore`, async (req) => {
    const { vault, instance } = await load(req);
    const plan = await planRestore(req.ctx, vault, instance, req.body);
    const rp = plan.recoveryPoint;
    const job = await createJob(req.ctx, {
      vault, instance, policy: null, category: 'Restore', isUserTriggered: true, taskName: 'Trigger Restore',
      sourceDataStoreType: plan.request.sourceDataStoreType,
      recoveryDestination: plan.request.target.kind === 'files' ? plan.destination : plan.destination,
      sourceRecoverPoint: { recoveryPointID: rp.name, recoveryPointTime: rp.properties.recoveryPointTime },
      rehydrationPriority: plan.request.rehydrationPriority,
    });
    await queueTask(req.ctx, 'restore', { jobId: job.id, recoveryPointId: rp.name, instanceId: instance.id, request: plan.request, destination: plan.destination });
    const op = await startOperation(req.ctx, instance.id, async () => ({ jobId: job.id, objectType: 'OperationJobExtendedInfo' }));
    return accepted(req, vault.location, op.id);
  });

  for (const action of ['stopProtection', 'suspendBackups', 'resumeProtection', 'resumeBackups'] as ProtectionAction[]) {
    router.add('POST', `${INSTANCE_PATH}/${action}`, async (req) => {
      const { vault, instance } = await load(req);
      const next = checkAction(instance, action);
      const op = await startOperation(req.ctx, instance.id, async () => {
        await setProtectionState(req.ctx, vault, instance, next);
        return null;
      });
      return accepted(req, vault.location, op.id);
    });
  }
}

/**
 * The tag of an on-demand backup. `ruleName` is the backup rule (as az sends it) or, as the Learn
 * document writes it, a retention rule's name, which then acts as the tag override.
 */
export function resolveAdhocTag(policy: PolicyLike, ruleName: string, override: string | undefined): string {
  const backupRule = backupRuleOf(policy);
  const retention = retentionRulesOf(policy).map((r) => r.name);
  let tagOverride = override;
  if (ruleName.toLowerCase() !== backupRule.name.toLowerCase()) {
    const asRetention = retention.find((n) => n.toLowerCase() === ruleName.toLowerCase());
    if (!asRetention) {
      throw invalid(
        'UserErrorInvalidBackupRuleName',
        `The policy has no rule named '${ruleName}'. Give --rule-name ${backupRule.name} (the backup rule), optionally with --retention-tag-override ${retention.join('|')}; a retention rule's name is also accepted.`,
        'backupRuleOptions.ruleName',
      );
    }
    if (tagOverride && tagOverride.toLowerCase() !== asRetention.toLowerCase()) {
      throw invalid('UserErrorInvalidBackupRuleName', `--rule-name ${ruleName} names a retention rule, which conflicts with --retention-tag-override ${tagOverride}.`);
    }
    tagOverride = asRetention;
  }
  try {
    return chooseAdhocTag(backupRule.trigger.taggingCriteria, tagOverride);
  } catch (e) {
    throw invalid('UserErrorInvalidRetentionTag', (e as Error).message, 'backupRuleOptions.triggerOption.retentionTagOverride');
  }
}

async function checkNoRunningBackup(ctx: ServiceContext, vaultId: string, instance: BackupInstanceResource): Promise<void> {
  const running = (await listJobs(ctx, { vaultId })).find(
    (j) => j.properties.status === 'InProgress' && j.properties.operationCategory === 'Backup' && j.properties.backupInstanceId.toLowerCase() === instance.id.toLowerCase(),
  );
  if (running) {
    throw conflict('UserErrorAnotherBackupInProgress', `A backup of '${instance.name}' is already running (job ${running.name}); wait for it to end.`);
  }
}
