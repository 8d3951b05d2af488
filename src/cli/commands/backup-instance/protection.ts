// `backup-instance update-policy|stop-protection|suspend-backup|resume-protection|adhoc-backup`:
// the actions on an existing backup instance.
import { defineCommand, type Command } from '../../command.ts';
import { instanceArgs, instanceOf, resourceGroup, vaultName } from './args.ts';

export const backupInstanceUpdatePolicy = defineCommand({
  path: ['backup-instance', 'update-policy'],
  summary: 'Associate a backup instance with another backup policy.',
  supportsNoWait: true,
  args: {
    backupInstanceName: { names: ['--backup-instance-name'], required: true, help: 'Backup instance name.' },
    resourceGroup,
    vaultName,
    policyId: { names: ['--policy-id'], required: true, help: 'The id of the new policy the backup instance will be associated with.' },
  },
  async run(a, ctx) {
    const path = await instanceOf(a, ctx);
    const current = (await ctx.client.get(path)) as { properties: Record<string, unknown>; tags?: unknown };
    // As az: the whole instance goes back with the new policy id, less the read-only states.
    const { currentProtectionState: _c, provisioningState: _p, ...properties } = current.properties;
    properties.policyInfo = { ...(properties.policyInfo as Record<string, unknown> | undefined), policyId: a.policyId };
    const body: Record<string, unknown> = { properties };
    if (current.tags !== undefined && current.tags !== null) body.tags = current.tags;
    return ctx.client.longRunning('PUT', path, { body, noWait: a.noWait === true, finalGet: path });
  },
});

/** A POST action on the instance that ends with nothing to print. */
function instanceAction(word: string, action: string, summary: string): Command {
  return defineCommand({
    path: ['backup-instance', word],
    summary,
    supportsNoWait: true,
    args: instanceArgs,
    async run(a, ctx) {
      await ctx.client.longRunning('POST', `${await instanceOf(a, ctx)}/${action}`, { noWait: a.noWait === true });
      return undefined;
    },
  });
}

export const backupInstanceStopProtection = instanceAction(
  'stop-protection',
  'stopProtection',
  'Stop protecting a backup instance; its recovery points are kept until deleted.',
);
export const backupInstanceSuspendBackup = instanceAction(
  'suspend-backup',
  'suspendBackups',
  'Suspend scheduled backups of a backup instance; recovery points are kept per policy.',
);
export const backupInstanceResumeProtection = instanceAction(
  'resume-protection',
  'resumeProtection',
  'Resume protection of a stopped or suspended backup instance.',
);

export const backupInstanceAdhocBackup = defineCommand({
  path: ['backup-instance', 'adhoc-backup'],
  summary: 'Trigger an on-demand backup; prints the id of the backup job.',
  supportsNoWait: true,
  args: {
    ...instanceArgs,
    ruleName: { names: ['--rule-name'], required: true, help: "The policy's backup rule name (e.g. BackupWeekly); a retention rule name also works and tags the backup with it." },
    retentionTagOverride: { names: ['--retention-tag-override'], help: 'The retention tag to apply to this backup (e.g. Weekly).' },
  },
  async run(a, ctx) {
    const triggerOption: Record<string, unknown> = {};
    if (a.retentionTagOverride !== undefined) triggerOption.retentionTagOverride = a.retentionTagOverride;
    const body = { backupRuleOptions: { ruleName: a.ruleName, triggerOption } };
    return ctx.client.longRunning('POST', `${await instanceOf(a, ctx)}/backup`, { body, noWait: a.noWait === true });
  },
});
