// `backup-instance validate-for-restore` and `backup-instance restore trigger`: send a restore
// request (the output of `restore initialize-*`, converted to camelCase as az does).
import { badArgument } from '../../../domain/errors.ts';
import { snakeToCamel } from '../../../policy/instance-request.ts';
import { defineCommand, type ArgSpec, type ArgValues, type CommandContext } from '../../command.ts';
import { crossRegionDetails, crossRegionTarget, useSecondaryRegion } from '../cross-region.ts';
import { instanceArgs, instanceOf } from '../backup-instance/args.ts';

const restoreRequestObject: ArgSpec = {
  names: ['--restore-request-object'],
  required: true,
  type: 'json',
  help: 'The restore request object (the output of restore initialize-*): JSON, @file or a file path.',
};

function requestOf(value: unknown): Record<string, unknown> {
  if (!value || typeof value !== 'object' || Array.isArray(value)) {
    throw badArgument("--restore-request-object must be the JSON object a 'backup-instance restore initialize-*' command prints.");
  }
  return snakeToCamel(value) as Record<string, unknown>;
}

/** The request at the vault's secondary region (Azure's CrossRegionRestoreRequestObject and its validation). */
async function crossRegion(a: ArgValues, ctx: CommandContext, action: string, objectType: string): Promise<unknown> {
  const t = await crossRegionTarget(ctx, a.resourceGroup as string, a.vaultName as string);
  const body = { objectType, restoreRequestObject: requestOf(a.restoreRequestObject), crossRegionRestoreDetails: crossRegionDetails(t, a.backupInstanceName as string) };
  return ctx.client.longRunning('POST', `${t.base}/${action}`, { body, noWait: a.noWait === true });
}

export const backupInstanceValidateForRestore = defineCommand({
  path: ['backup-instance', 'validate-for-restore'],
  summary: 'Validate whether a restore request would succeed.',
  supportsNoWait: true,
  args: { ...instanceArgs, restoreRequestObject, useSecondaryRegion },
  async run(a, ctx) {
    if (a.useSecondaryRegion === true) return crossRegion(a, ctx, 'validateCrossRegionRestore', 'ValidateCrossRegionRestoreRequestObject');
    const body = { restoreRequestObject: requestOf(a.restoreRequestObject) };
    return ctx.client.longRunning('POST', `${await instanceOf(a, ctx)}/validateRestore`, { body, noWait: a.noWait === true });
  },
});

export const restoreTrigger = defineCommand({
  path: ['backup-instance', 'restore', 'trigger'],
  summary: 'Trigger a restore of a backup instance; prints the id of the restore job.',
  supportsNoWait: true,
  args: { ...instanceArgs, restoreRequestObject, useSecondaryRegion },
  async run(a, ctx) {
    if (a.useSecondaryRegion === true) return crossRegion(a, ctx, 'crossRegionRestore', 'CrossRegionRestoreRequestObject');
    const body = requestOf(a.restoreRequestObject);
    return ctx.client.longRunning('POST', `${await instanceOf(a, ctx)}/restore`, { body, noWait: a.noWait === true });
  },
});
