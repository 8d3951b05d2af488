// Actions on a backup instance: on-demand backup, restore (and its validation), and the
// protection state changes. Each is a long-running operation; backup and restore return a job id.
// The routes read the request; the workflows are services (adhoc-backup.ts, restore-trigger.ts).
import { triggerAdhocBackup } from '../../services/adhoc-backup.ts';
import { checkAction, getInstance, setProtectionState, type ProtectionAction } from '../../services/backup-instances.ts';
import { startOperation } from '../../services/operations.ts';
import { triggerRestore, validateRestore } from '../../services/restore-trigger.ts';
import { getVault } from '../../services/vaults.ts';
import type { ApiRequest } from '../http.ts';
import type { Router } from '../router.ts';
import { INSTANCE_PATH } from './backup-instances.ts';
import { acceptedOperation } from './operations.ts';

const accepted = acceptedOperation;

export function registerInstanceActionRoutes(router: Router): void {
  const load = async (req: ApiRequest<'sub' | 'rg' | 'vault' | 'instance'>) => {
    const vault = await getVault(req.ctx, req.params.sub, req.params.rg, req.params.vault);
    const instance = await getInstance(req.ctx, req.params.sub, req.params.rg, req.params.vault, req.params.instance);
    return { vault, instance };
  };

  router.add('POST', `${INSTANCE_PATH}/backup`, async (req) => {
    const { vault, instance } = await load(req);
    const op = await triggerAdhocBackup(req.ctx, vault, instance, req.body);
    return accepted(req, vault.location, op.id);
  });

  router.add('POST', `${INSTANCE_PATH}/validateRestore`, async (req) => {
    const { vault, instance } = await load(req);
    const op = await validateRestore(req.ctx, vault, instance, req.body);
    return accepted(req, vault.location, op.id);
  });

  router.add('POST', `${INSTANCE_PATH}/restore`, async (req) => {
    const { vault, instance } = await load(req);
    const op = await triggerRestore(req.ctx, vault, instance, req.body);
    return accepted(req, vault.location, op.id);
  });

  for (const action of ['stopProtection', 'suspendBackups', 'resumeProtection', 'resumeBackups'] as ProtectionAction[]) {
    router.add('POST', `${INSTANCE_PATH}/${action}`, async (req) => {
      const { vault, instance } = await load(req);
      const next = checkAction(instance, action);
      const op = await startOperation(req.ctx, instance.id, async () => {
        await setProtectionState(req.ctx, vault, instance, next);
        return null;
      });
      return accepted(req, vault.location, op.id);
    });
  }
}
