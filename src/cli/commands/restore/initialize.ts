// `backup-instance restore initialize-for-data-recovery` and `...-as-files`: build the restore
// request offline, as az does (the first GETs the instance only when given --backup-instance-id).
import { DATASOURCE_TYPE_VALUES, requireManifest } from '../../../datasources/registry.ts';
import { initializeForDataRecovery, initializeForDataRecoveryAsFiles, pointInTimeArgument, type RestoreSourceArgs } from '../../../policy/instance-request.ts';
import { defineCommand, type ArgSpec, type ArgValues } from '../../command.ts';
import { instancePath } from '../../paths.ts';

export const sourceArgs = {
  datasourceType: { names: ['--datasource-type'], required: true, enum: DATASOURCE_TYPE_VALUES, help: 'The datasource type.' },
  sourceDatastore: {
    names: ['--source-datastore'],
    required: true,
    enum: ['ArchiveStore', 'OperationalStore', 'VaultStore'],
    help: 'The datastore of the recovery point.',
  },
  restoreLocation: { names: ['--restore-location'], required: true, help: 'The restore location.' },
  recoveryPointId: { names: ['--recovery-point-id'], help: 'The recovery point to restore.' },
  pointInTime: { names: ['--point-in-time'], help: 'The point in time to restore, in UTC (yyyy-mm-ddTHH:MM:SS).' },
  rehydrationPriority: { names: ['--rehydration-priority'], enum: ['Standard'], help: 'Rehydration priority, for a restore from ArchiveStore.' },
  rehydrationDuration: { names: ['--rehydration-duration'], type: 'int', default: '15', help: 'Days to keep the rehydrated data (10 to 30).' },
} satisfies Record<string, ArgSpec>;

/** The key vault secret that reaches the target database. */
export const targetSecretArgs = {
  secretStoreType: { names: ['--secret-store-type'], enum: ['AzureKeyVault'], help: 'The secret store type for the target.' },
  secretStoreUri: { names: ['--secret-store-uri'], help: 'The secret store uri for the target.' },
} satisfies Record<string, ArgSpec>;

/** The parts of the request common to both commands; --point-in-time is checked first, as az's argument type. */
export function sourceOf(a: ArgValues): RestoreSourceArgs {
  return {
    sourceDatastore: a.sourceDatastore as string,
    restoreLocation: a.restoreLocation as string,
    recoveryPointId: a.recoveryPointId as string | undefined,
    pointInTime: a.pointInTime !== undefined ? pointInTimeArgument(a.pointInTime as string) : undefined,
    rehydrationPriority: a.rehydrationPriority as string | undefined,
    rehydrationDuration: Number(a.rehydrationDuration),
  };
}

export const restoreInitializeForDataRecovery = defineCommand({
  path: ['backup-instance', 'restore', 'initialize-for-data-recovery'],
  summary: 'Initialize the restore request object to recover all backed-up data to a database.',
  offline: true,
  args: {
    ...sourceArgs,
    targetResourceId: { names: ['--target-resource-id'], help: 'The ARM id of the database to restore to (alternate location), or of the flexible server a whole-server point is restored into.' },
    backupInstanceId: { names: ['--backup-instance-id'], help: 'The backup instance id (original location restore).' },
    ...targetSecretArgs,
    restoreConfiguration: { names: ['--restore-configuration'], type: 'json', help: 'Restore configuration (AzureKubernetesService only; ignored).' },
    databaseNamePrefix: {
      names: ['--database-name-prefix'],
      help: 'dpvault only, for a whole server restored into a flexible server: create each database as PREFIX<name> (sent as restore_target_info.database_name_prefix).',
    },
    noOwner: {
      names: ['--no-owner'],
      arity: 'flag',
      help: 'dpvault only: leave every restored object owned by the restoring user instead of its owner in the backup (grants are still restored).',
    },
  },
  async run(a, ctx) {
    const source = sourceOf(a);
    const manifest = requireManifest(a.datasourceType);
    const request = await initializeForDataRecovery(
      {
        ...source,
        targetResourceId: a.targetResourceId as string | undefined,
        backupInstanceId: a.backupInstanceId as string | undefined,
        secretStoreType: a.secretStoreType as string | undefined,
        secretStoreUri: a.secretStoreUri as string | undefined,
      },
      manifest,
      async (id) => {
        // As az: resource group, vault and name from the id's segments, in the current subscription.
        const parts = id.split('/');
        const path = instancePath(await ctx.subscription(), parts[4] ?? '', parts[8] ?? '', parts.at(-1) ?? '');
        const bi = (await ctx.client.get(path)) as { properties?: { dataSourceInfo?: { resourceID?: string } } };
        return bi.properties?.dataSourceInfo?.resourceID ?? '';
      },
    );
    if (a.noOwner) (request.restore_target_info as Record<string, unknown>).no_owner = true;
    if (a.databaseNamePrefix !== undefined) (request.restore_target_info as Record<string, unknown>).database_name_prefix = a.databaseNamePrefix;
    return request;
  },
});

export const restoreInitializeForDataRecoveryAsFiles = defineCommand({
  path: ['backup-instance', 'restore', 'initialize-for-data-recovery-as-files'],
  summary: 'Initialize the restore request object to recover all backed-up data as files (to a blob container, a bucket or a directory).',
  offline: true,
  args: {
    targetBlobContainerUrl: {
      names: ['--target-blob-container-url'],
      required: true,
      help: 'Where the files go: a blob container (https://ACCOUNT.blob.core.windows.net/CONTAINER, or azblob://CONTAINER), an S3 bucket (s3://BUCKET[/PATH]) the server allows with --restore-files-container, or a directory path or file:// URL on the service host.',
    },
    targetFileName: { names: ['--target-file-name'], required: true, help: 'The file name (prefix) of the restored files.' },
    targetResourceId: { names: ['--target-resource-id'], help: 'The ARM id of the target container (cross-subscription restore).' },
    ...sourceArgs,
  },
  async run(a) {
    const source = sourceOf(a);
    return initializeForDataRecoveryAsFiles(
      {
        ...source,
        targetBlobContainerUrl: a.targetBlobContainerUrl as string,
        targetFileName: a.targetFileName as string,
        targetResourceId: a.targetResourceId as string | undefined,
      },
      requireManifest(a.datasourceType),
    );
  },
});
