// `backup-instance show|list|delete|wait`.
import { search } from '@jmespath-community/jmespath';
import { DpError, errors, usage } from '../../../domain/errors.ts';
import { defineCommand } from '../../command.ts';
import { vaultPath } from '../../paths.ts';
import { INSTANCE, instanceArgs, instanceIdArgs, instanceOf, resourceGroup, showTargets, targetsOf, vaultName, yes } from './args.ts';

export const backupInstanceShow = defineCommand({
  path: ['backup-instance', 'show'],
  summary: 'Get a backup instance.',
  args: instanceIdArgs,
  async run(a, ctx) {
    return showTargets(await targetsOf(a, ctx, INSTANCE), ctx);
  },
});

export const backupInstanceList = defineCommand({
  path: ['backup-instance', 'list'],
  summary: 'List the backup instances of a backup vault.',
  args: { resourceGroup, vaultName },
  async run(a, ctx) {
    return ctx.client.listAll(`${vaultPath(await ctx.subscription(), a.resourceGroup as string, a.vaultName as string)}/backupInstances`);
  },
});

export const backupInstanceDelete = defineCommand({
  path: ['backup-instance', 'delete'],
  summary: 'Delete a backup instance: soft-deleted with its recovery points while the vault has soft delete on, else its recovery points are removed.',
  supportsNoWait: true,
  args: { ...instanceArgs, yes },
  async run(a, ctx) {
    if (!(await ctx.confirm())) return undefined;
    await ctx.client.longRunning('DELETE', await instanceOf(a, ctx), { noWait: a.noWait === true });
    return undefined;
  },
});

const truthy = (v: unknown) =>
  !(v === null || v === undefined || v === false || v === '' || (Array.isArray(v) && !v.length) || (typeof v === 'object' && !Object.keys(v).length));

export const backupInstanceWait = defineCommand({
  path: ['backup-instance', 'wait'],
  summary: 'Place the CLI in a waiting state until a condition of the backup instance is met.',
  args: {
    ...instanceIdArgs,
    created: { names: ['--created'], arity: 'flag', help: "Wait until created with 'provisioningState' at 'Succeeded'." },
    updated: { names: ['--updated'], arity: 'flag', help: "Wait until updated with 'provisioningState' at 'Succeeded'." },
    deleted: { names: ['--deleted'], arity: 'flag', help: 'Wait until deleted.' },
    exists: { names: ['--exists'], arity: 'flag', help: 'Wait until the resource exists.' },
    custom: { names: ['--custom'], help: "Wait until the condition satisfies a custom JMESPath query, e.g. properties.protectionStatus.status=='ProtectionConfigured'." },
    interval: { names: ['--interval'], type: 'int', default: '30', help: 'Polling interval in seconds.' },
    timeout: { names: ['--timeout'], type: 'int', default: '3600', help: 'Maximum wait in seconds.' },
  },
  async run(a, ctx) {
    if (!a.created && !a.updated && !a.deleted && !a.exists && a.custom === undefined) {
      throw usage('one of the following arguments is required: --created, --updated, --deleted, --exists, --custom');
    }
    const [path] = await targetsOf(a, ctx, INSTANCE);
    const interval = Math.max(0, Number(a.interval));
    const timeout = Number(a.timeout);
    for (let waited = 0; ; waited += interval) {
      if (await conditionMet(path!, a, ctx.client.get.bind(ctx.client))) return undefined;
      if (waited + interval > timeout) throw errors.waitTimedOut(timeout);
      await new Promise((r) => setTimeout(r, interval * 1000));
    }
  },
});

async function conditionMet(path: string, a: Record<string, unknown>, get: (p: string) => Promise<unknown>): Promise<boolean> {
  let instance: unknown;
  try {
    instance = await get(path);
  } catch (e) {
    if (e instanceof DpError && e.kind === 'notFound') return a.deleted === true;
    throw e;
  }
  if (a.deleted) return false;
  if (a.exists) return true;
  if (a.created || a.updated) return (instance as { properties?: { provisioningState?: string } }).properties?.provisioningState === 'Succeeded';
  try {
    return truthy(search(instance as Parameters<typeof search>[0], a.custom as string));
  } catch (e) {
    throw usage(`argument --custom: invalid jmespath query '${String(a.custom)}' (${(e as Error).message})`);
  }
}
