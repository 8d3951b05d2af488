// Arguments shared by the backup-instance, restore, recovery-point and job commands, and how a
// command finds the resource it acts on: by names (-g, -v, -n) or by full ARM ids (--ids).
import { usage } from '../../../domain/errors.ts';
import type { ArgSpec, ArgValues, CommandContext } from '../../command.ts';
import { instancePath, vaultPath } from '../../paths.ts';

export const resourceGroup: ArgSpec = { names: ['--resource-group', '-g'], required: true, help: 'Name of resource group.' };
export const vaultName: ArgSpec = { names: ['--vault-name', '-v'], required: true, help: 'The name of the backup vault.' };
export const instanceName: ArgSpec = { names: ['--name', '-n', '--backup-instance-name'], required: true, help: 'The name of the backup instance.' };

/** -g, -v and the instance name, all required. */
export const instanceArgs = { resourceGroup, vaultName, backupInstanceName: instanceName } satisfies Record<string, ArgSpec>;

/** The same, optional, plus --ids: for commands that take either. */
export const instanceIdArgs = {
  resourceGroup: { ...resourceGroup, required: false },
  vaultName: { ...vaultName, required: false },
  backupInstanceName: { ...instanceName, required: false },
  ids: { names: ['--ids'], arity: 'many', help: 'One or more backup instance ids. Give either --ids or the other resource id arguments.' },
} satisfies Record<string, ArgSpec>;

export { yesArg as yes } from '../../common-args.ts';

/** The path of the instance the required -g/-v/-n name. */
export async function instanceOf(a: ArgValues, ctx: CommandContext): Promise<string> {
  return instancePath(await ctx.subscription(), a.resourceGroup as string, a.vaultName as string, a.backupInstanceName as string);
}

export interface ChildKind {
  /** Collection under the vault: backupInstances, backupJobs. */
  collection: string;
  /** The argument key and option of the child's name. */
  nameKey: string;
  nameOption: string;
}

export const INSTANCE: ChildKind = { collection: 'backupInstances', nameKey: 'backupInstanceName', nameOption: '--name/-n/--backup-instance-name' };
export const DELETED_INSTANCE: ChildKind = {
  collection: 'deletedBackupInstances', nameKey: 'backupInstanceName', nameOption: '--name/-n/--backup-instance-name',
};
export const JOB: ChildKind = { collection: 'backupJobs', nameKey: 'jobId', nameOption: '--job-id' };

/** The paths a show/wait command addresses: each of --ids, or the one child -g/-v/<name> name. */
export async function targetsOf(a: ArgValues, ctx: CommandContext, kind: ChildKind): Promise<string[]> {
  const ids = a.ids as string[] | undefined;
  const named = ['resourceGroup', 'vaultName', kind.nameKey].filter((k) => a[k] !== undefined);
  if (ids) {
    if (named.length) throw usage(`--ids cannot be combined with ${kind.nameOption}, --resource-group or --vault-name; give one or the other.`);
    const shape = new RegExp(`^/subscriptions/[^/]+/resourceGroups/[^/]+/providers/Microsoft\\.DataProtection/backupVaults/[^/]+/${kind.collection}/[^/]+$`, 'i');
    for (const id of ids) {
      if (!shape.test(id.replace(/\/+$/, ''))) {
        throw usage(
          `argument --ids: '${id}' is not a valid id; expected /subscriptions/{sub}/resourceGroups/{rg}/providers/Microsoft.DataProtection/backupVaults/{vault}/${kind.collection}/{name}.`,
        );
      }
    }
    return ids.map((id) => id.replace(/\/+$/, ''));
  }
  const absent = [
    [kind.nameKey, kind.nameOption],
    ['resourceGroup', '--resource-group/-g'],
    ['vaultName', '--vault-name/-v'],
  ].filter(([k]) => a[k!] === undefined);
  if (absent.length) throw usage(`the following arguments are required: ${absent.map(([, o]) => o).join(', ')} (or give --ids)`);
  return [`${vaultPath(await ctx.subscription(), a.resourceGroup as string, a.vaultName as string)}/${kind.collection}/${a[kind.nameKey] as string}`];
}

/** GETs each target; one target prints one object, several print a list (as az does with several --ids). */
export async function showTargets(paths: string[], ctx: CommandContext): Promise<unknown> {
  const found = await Promise.all(paths.map((p) => ctx.client.get(p)));
  return found.length === 1 ? found[0] : found;
}
