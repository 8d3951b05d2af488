// Restore a recovery point to a new database on the same server: the request is built by the same
// code as `dpvault backup-instance restore initialize-for-data-recovery` (src/policy/), converted to
// camelCase as `restore trigger` sends it; the target's credentials come from a key vault secret
// (the instance's own by default). A point only in the archive is rehydrated first (Standard).
import type { Api } from './api.ts';
import type { Instance, RecoveryPoint } from './resources.ts';
import { initializeForDataRecovery, snakeToCamel } from '../policy/instance-request.ts';
import { requireManifest } from '../datasources/registry.ts';
import { tierOf } from './timeline.ts';
import { when } from './format.ts';
import { useSubmit } from './use-submit.ts';

export function RestoreForm(props: { api: Api; instance: Instance; point: RecoveryPoint }) {
  const info = props.instance.properties.dataSourceInfo;
  const database = info.resourceID.split('/').pop() ?? '';
  const { submit, busy, error } = useSubmit(async (form) => {
    const target = String(form.get('target')).trim();
    const tier = tierOf(props.point);
    const request = await initializeForDataRecovery(
      {
        sourceDatastore: tier,
        restoreLocation: info.resourceLocation ?? 'westus',
        recoveryPointId: props.point.name,
        ...(tier === 'ArchiveStore' ? { rehydrationPriority: 'Standard', rehydrationDuration: 15 } : {}),
        targetResourceId: `${info.resourceID.split('/').slice(0, -1).join('/')}/${target}`,
        secretStoreType: 'AzureKeyVault',
        secretStoreUri: String(form.get('secret')).trim(),
      },
      requireManifest(info.datasourceType),
    );
    await props.api.startJob(`${props.instance.id}/restore`, snakeToCamel(request));
    location.hash = '#/jobs';
  });
  return (
    <form class="restore" onSubmit={submit} aria-label="Restore">
      <h3>Restore {when(props.point.properties.recoveryPointTime)} ({tierOf(props.point)})</h3>
      <label>New database on the same server<input name="target" required value={`${database}_restored`} /></label>
      <label>Key vault secret with the target's credentials<input name="secret" required value={props.instance.properties.datasourceAuthCredentials?.secretStoreResource?.uri ?? ''} /></label>
      <button type="submit" disabled={busy}>Restore</button>
      {error && <p class="error" role="alert">{error}</p>}
    </form>
  );
}
