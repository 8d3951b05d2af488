// `backup-instance validate-for-backup` and `create`: both take the JSON `initialize` prints.
import { badArgument } from '../../../domain/errors.ts';
import { instanceCreateBody, snakeToCamel } from '../../../policy/instance-request.ts';
import { defineCommand, type ArgSpec } from '../../command.ts';
import { instancePath, vaultPath } from '../../paths.ts';
import { resourceGroup, vaultName } from './args.ts';

const backupInstance: ArgSpec = {
  names: ['--backup-instance'],
  required: true,
  type: 'json',
  help: 'The request body (the output of backup-instance initialize): JSON, @file or a file path.',
};

interface InstanceRequest {
  backup_instance_name?: unknown;
  properties: Record<string, unknown>;
  tags?: unknown;
}

function readInstance(value: unknown): InstanceRequest {
  const v = value as Partial<InstanceRequest> | null;
  if (!v || typeof v !== 'object' || Array.isArray(v) || !v.properties || typeof v.properties !== 'object') {
    throw badArgument("--backup-instance must be the JSON object 'backup-instance initialize' prints, with its 'properties'.");
  }
  return v as InstanceRequest;
}

/** Shows the validation's warnings (the secret names another host than the registration) on stderr. */
function warnAll(result: unknown, warn: (message: string) => void): void {
  const warnings = (result as { warnings?: unknown } | undefined)?.warnings;
  if (Array.isArray(warnings)) for (const w of warnings) if (typeof w === 'string') warn(w);
}

export const backupInstanceValidateForBackup = defineCommand({
  path: ['backup-instance', 'validate-for-backup'],
  summary: 'Validate whether a backup instance can be configured (credentials, access, tools).',
  supportsNoWait: true,
  args: { resourceGroup, vaultName, backupInstance },
  async run(a, ctx) {
    const bi = readInstance(a.backupInstance);
    const path = `${vaultPath(await ctx.subscription(), a.resourceGroup as string, a.vaultName as string)}/validateForBackup`;
    const result = await ctx.client.longRunning('POST', path, { body: { backupInstance: snakeToCamel(bi.properties) }, noWait: a.noWait === true });
    warnAll(result, ctx.warn);
    return result;
  },
});

export const backupInstanceCreate = defineCommand({
  path: ['backup-instance', 'create'],
  summary: 'Configure backup for a resource in a backup vault (validates first).',
  supportsNoWait: true,
  args: { resourceGroup, vaultName, backupInstance },
  async run(a, ctx) {
    const bi = readInstance(a.backupInstance);
    const name = bi.backup_instance_name ?? (bi as { backupInstanceName?: unknown }).backupInstanceName;
    if (typeof name !== 'string' || !name) {
      throw badArgument("--backup-instance has no 'backup_instance_name'; use the JSON 'backup-instance initialize' prints, which names the instance.");
    }
    const vault = vaultPath(await ctx.subscription(), a.resourceGroup as string, a.vaultName as string);
    const body = instanceCreateBody(bi);
    // As az's ValidateAndCreate: validate (waiting for the verdict), then PUT.
    warnAll(await ctx.client.longRunning('POST', `${vault}/validateForBackup`, { body: { backupInstance: body.properties } }), ctx.warn);
    const path = instancePath(await ctx.subscription(), a.resourceGroup as string, a.vaultName as string, name);
    return ctx.client.longRunning('PUT', path, { body, noWait: a.noWait === true, finalGet: path });
  },
});
