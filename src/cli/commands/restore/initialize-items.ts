// `backup-instance restore initialize-for-item-recovery`: build, offline, the request restoring
// single tables of a recovery point into a database (ItemLevelRestoreTargetInfo).
import { requireManifest } from '../../../datasources/registry.ts';
import { initializeForItemRecovery } from '../../../policy/item-recovery-request.ts';
import { defineCommand } from '../../command.ts';
import { sourceArgs, sourceOf, targetSecretArgs } from './initialize.ts';

export const restoreInitializeForItemRecovery = defineCommand({
  path: ['backup-instance', 'restore', 'initialize-for-item-recovery'],
  summary: 'Initialize the restore request object to recover tables of a recovery point into a database.',
  offline: true,
  args: {
    ...sourceArgs,
    targetResourceId: { names: ['--target-resource-id'], required: true, help: 'The ARM id of the database to restore the tables into (it must exist).' },
    itemList: { names: ['--item-list'], arity: 'many', required: true, help: 'The tables to restore, SCHEMA.TABLE (quote a part with "" to keep its case).' },
    renameTo: {
      names: ['--rename-to'],
      arity: 'many',
      help: 'New names, SCHEMA.NEWNAME, one per item of --item-list in the same order: restores each beside a live table of its name.',
    },
    database: { names: ['--database'], help: 'The database of the recovery point the tables come from (needed for a whole-server recovery point).' },
    ...targetSecretArgs,
    noOwner: {
      names: ['--no-owner'],
      arity: 'flag',
      help: 'dpvault only: leave the restored tables owned by the restoring user instead of their owner in the backup (grants are still restored).',
    },
  },
  async run(a) {
    const request = initializeForItemRecovery(
      {
        ...sourceOf(a),
        targetResourceId: a.targetResourceId as string,
        itemList: a.itemList as string[],
        renameTo: a.renameTo as string[] | undefined,
        database: a.database as string | undefined,
        secretStoreType: a.secretStoreType as string | undefined,
        secretStoreUri: a.secretStoreUri as string | undefined,
      },
      requireManifest(a.datasourceType),
    );
    if (a.noOwner) (request.restore_target_info as Record<string, unknown>).no_owner = true;
    return request;
  },
});
