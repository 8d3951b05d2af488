// `backup-instance initialize`: builds the backup instance request offline, as az does.
import { randomBytes } from 'node:crypto';
import { DATASOURCE_TYPE_VALUES, requireManifest } from '../../../datasources/registry.ts';
import { initializeBackupInstance, uuid1 } from '../../../policy/instance-request.ts';
import { systemClock } from '../../../util/clock.ts';
import { defineCommand } from '../../command.ts';
import { parseTags } from '../../tags.ts';

export const backupInstanceInitialize = defineCommand({
  path: ['backup-instance', 'initialize'],
  summary: 'Initialize the JSON request body for configuring backup of a resource.',
  offline: true,
  args: {
    datasourceType: { names: ['--datasource-type'], required: true, enum: DATASOURCE_TYPE_VALUES, help: 'The datasource type of the resource to be backed up.' },
    datasourceId: { names: ['--datasource-id'], required: true, help: 'ARM id of the resource to be backed up.' },
    datasourceLocation: { names: ['--datasource-location', '-l'], required: true, help: 'Location of the datasource.' },
    policyId: { names: ['--policy-id'], required: true, help: 'Id of the backup policy the datasource will be associated with.' },
    secretStoreType: { names: ['--secret-store-type'], enum: ['AzureKeyVault'], help: 'The secret store type to use for authentication.' },
    secretStoreUri: { names: ['--secret-store-uri'], help: 'The secret store uri to use for authentication.' },
    friendlyName: { names: ['--friendly-name'], help: 'User-defined friendly name for the backup instance.' },
    backupConfiguration: { names: ['--backup-configuration'], type: 'json', help: 'Backup configuration (AzureKubernetesService only).' },
    snapshotResourceGroupName: { names: ['--snapshot-resource-group-name', '--snapshot-rg'], help: 'Resource group for snapshots (not used for PostgreSQL).' },
    tags: { names: ['--tags'], arity: 'many', help: 'Space-separated tags: key[=value].' },
  },
  async run(a, ctx) {
    const manifest = requireManifest(a.datasourceType);
    const { value, warnings } = initializeBackupInstance(
      {
        datasourceId: a.datasourceId as string,
        datasourceLocation: a.datasourceLocation as string,
        policyId: a.policyId as string,
        secretStoreType: a.secretStoreType as string | undefined,
        secretStoreUri: a.secretStoreUri as string | undefined,
        friendlyName: a.friendlyName as string | undefined,
        backupConfiguration: a.backupConfiguration,
        snapshotResourceGroupName: a.snapshotResourceGroupName as string | undefined,
        tags: parseTags(a.tags as string[] | undefined),
      },
      manifest,
      uuid1(systemClock.now().getTime(), randomBytes(8)),
    );
    for (const w of warnings) ctx.warn(w);
    return value;
  },
});
