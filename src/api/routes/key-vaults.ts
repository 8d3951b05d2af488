// Microsoft.KeyVault: vaults and their access policies (Azure's management API), and the secrets
// of a vault under its ARM path. Reading a secret's metadata never returns its value; the value
// comes back only from the explicit POST `.../secrets/{name}[/versions/{version}]/listValue`
// action (the ARM pattern for secrets, as API Management's namedValues/listValue), which
// `keyvault secret show` calls. Requests carrying a value are POST/PUT bodies, so no value
// reaches the request log, which records method and path only.
import {
  deleteKeyVault, deleteSecret, getKeyVault, listKeyVaults, listSecretVersions, listSecrets, putKeyVault, setSecret, showSecret,
  updateKeyVaultAccessPolicies,
} from '../../services/key-vaults.ts';
import { checkSubscription } from '../../services/resource-groups.ts';
import { ok, type ApiRequest } from '../http.ts';
import type { Router } from '../router.ts';
import { pageParams, pagedBody } from './paging.ts';

const KV = '/providers/Microsoft.KeyVault';
export const KEY_VAULT_PATH = `/subscriptions/{sub}/resourceGroups/{rg}${KV}/vaults/{kv}` as const;
const SECRETS = `${KEY_VAULT_PATH}/secrets` as const;
const SECRET = `${SECRETS}/{secret}` as const;

export function registerKeyVaultRoutes(router: Router): void {
  const p = (req: ApiRequest<'sub' | 'rg' | 'kv'>) => [req.params.sub, req.params.rg, req.params.kv] as const;
  const s = (req: ApiRequest<'sub' | 'rg' | 'kv' | 'secret'>) => [...p(req), req.params.secret] as const;
  router
    .add('GET', `/subscriptions/{sub}${KV}/vaults`, async (req) => {
      checkSubscription(req.ctx, req.params.sub);
      return ok(pagedBody(req, await listKeyVaults(req.ctx, req.params.sub, undefined, pageParams(req))));
    }, 'keyvault')
    .add('GET', `/subscriptions/{sub}/resourceGroups/{rg}${KV}/vaults`, async (req) =>
      ok(pagedBody(req, await listKeyVaults(req.ctx, req.params.sub, req.params.rg, pageParams(req)))), 'keyvault')
    .add('GET', KEY_VAULT_PATH, async (req) => ok(await getKeyVault(req.ctx, ...p(req))), 'keyvault')
    .add('PUT', KEY_VAULT_PATH, async (req) => {
      const { vault, created } = await putKeyVault(req.ctx, ...p(req), req.body);
      return ok(vault, created ? 201 : 200);
    }, 'keyvault')
    .add('DELETE', KEY_VAULT_PATH, async (req) => ({ status: (await deleteKeyVault(req.ctx, ...p(req))) ? 200 : 204 }), 'keyvault')
    .add('PUT', `${KEY_VAULT_PATH}/accessPolicies/{kind}`, async (req) => {
      const { kind, vault } = await updateKeyVaultAccessPolicies(req.ctx, ...p(req), req.params.kind, req.body);
      return ok({
        id: `${vault.id}/accessPolicies/${kind}`,
        name: kind,
        type: 'Microsoft.KeyVault/vaults/accessPolicies',
        location: vault.location,
        properties: { accessPolicies: vault.properties.accessPolicies },
      });
    }, 'keyvault')
    .add('GET', SECRETS, async (req) => ok(pagedBody(req, await listSecrets(req.ctx, ...p(req), pageParams(req)))), 'keyvault')
    .add('PUT', SECRET, async (req) => {
      const { bundle, created } = await setSecret(req.ctx, ...s(req), req.body);
      return ok(bundle, created ? 201 : 200);
    }, 'keyvault')
    .add('GET', SECRET, async (req) => ok(await showSecret(req.ctx, ...s(req))), 'keyvault')
    .add('DELETE', SECRET, async (req) => ok(await deleteSecret(req.ctx, ...s(req))), 'keyvault')
    .add('GET', `${SECRET}/versions`, async (req) => ok({ value: await listSecretVersions(req.ctx, ...s(req)) }), 'keyvault')
    .add('GET', `${SECRET}/versions/{version}`, async (req) => ok(await showSecret(req.ctx, ...s(req), { version: req.params.version })), 'keyvault')
    .add('POST', `${SECRET}/listValue`, async (req) => ok(await showSecret(req.ctx, ...s(req), { withValue: true })), 'keyvault')
    .add('POST', `${SECRET}/versions/{version}/listValue`, async (req) =>
      ok(await showSecret(req.ctx, ...s(req), { version: req.params.version, withValue: true })), 'keyvault');
}
