// An on-demand backup of a backup instance (`POST {instance}/backup`): checked against the
// instance's protection state, a backup already running and the policy's rules, recorded as a
// Backup job, queued for a worker, and answered with a long-running operation that names the job.
import { errors } from '../domain/errors.ts';
import { field, type BackupInstanceResource } from '../domain/backup-instance.ts';
import type { OperationRecord } from '../catalog/catalog.ts';
import type { BackupVault } from '../domain/vault.ts';
import { backupRuleOf, retentionRulesOf, type PolicyLike } from '../policy/policy-rules.ts';
import { chooseAdhocTag } from '../policy/tagging.ts';
import { policyFor } from './backup-instances.ts';
import type { ServiceContext } from './context.ts';
import { createJob, listJobs } from './jobs.ts';
import { startOperation } from './operations.ts';
import { datasourceGroup, queueTask } from './tasks.ts';

/** Queues an on-demand backup as the request body (`backupRuleOptions`) asks; returns its operation. */
export async function triggerAdhocBackup(ctx: ServiceContext, vault: BackupVault, instance: BackupInstanceResource, body: unknown): Promise<OperationRecord> {
  const state = instance.properties.currentProtectionState;
  if (state !== 'ProtectionConfigured') {
    throw errors.protectionStateForbids(`Backup instance '${instance.name}' is ${state}; resume protection before taking a backup.`);
  }
  await checkNoRunningBackup(ctx, vault.id, instance);
  const policy = await policyFor(ctx, vault, instance.properties);
  const options = field(body, 'backupRuleOptions');
  const ruleName = String(field(options, 'ruleName') ?? '');
  const override = field(field(options, 'triggerOption'), 'retentionTagOverride') as string | undefined;
  const tag = resolveAdhocTag(policy, ruleName, override);
  const job = await createJob(ctx, {
    vault, instance, policy: { id: policy.id, name: policy.name }, category: 'Backup', isUserTriggered: true, taskName: 'Trigger Backup',
    additionalDetails: { RetentionTag: tag },
  });
  await queueTask(ctx, 'backup', { jobId: job.id, retentionTagOverride: tag }, { group: datasourceGroup(instance) });
  return startOperation(ctx, instance.id, async () => ({ jobId: job.id, objectType: 'OperationJobExtendedInfo' }));
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
      throw errors.backupRuleNameInvalid(
        `The policy has no rule named '${ruleName}'. Give --rule-name ${backupRule.name} (the backup rule), optionally with --retention-tag-override ${retention.join('|')}; a retention rule's name is also accepted.`,
        'backupRuleOptions.ruleName',
      );
    }
    if (tagOverride && tagOverride.toLowerCase() !== asRetention.toLowerCase()) {
      throw errors.backupRuleNameInvalid(`--rule-name ${ruleName} names a retention rule, which conflicts with --retention-tag-override ${tagOverride}.`);
    }
    tagOverride = asRetention;
  }
  try {
    return chooseAdhocTag(backupRule.trigger.taggingCriteria, tagOverride);
  } catch (e) {
    throw errors.retentionTagInvalid((e as Error).message, 'backupRuleOptions.triggerOption.retentionTagOverride');
  }
}

async function checkNoRunningBackup(ctx: ServiceContext, vaultId: string, instance: BackupInstanceResource): Promise<void> {
  const running = (await listJobs(ctx, { vaultId })).find(
    (j) => j.properties.status === 'InProgress' && j.properties.operationCategory === 'Backup' && j.properties.backupInstanceId.toLowerCase() === instance.id.toLowerCase(),
  );
  if (running) {
    throw errors.backupAlreadyRunning(`A backup of '${instance.name}' is already running (job ${running.name}); wait for it to end.`);
  }
}
