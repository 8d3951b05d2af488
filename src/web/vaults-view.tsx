// Vaults: each Backup vault with its location, storage redundancy and how many items it protects.
import type { Api } from './api.ts';
import { instancesPath, vaultIdOf, vaultsPath, type Instance, type Vault } from './resources.ts';
import { useLoad } from './use-load.ts';
import { Failure } from './failure.tsx';

export function VaultsView(props: { api: Api }) {
  const { data, error } = useLoad(async () => {
    const sub = await props.api.subscription();
    const [vaults, instances] = await Promise.all([props.api.list<Vault>(vaultsPath(sub)), props.api.list<Instance>(instancesPath(sub))]);
    return { vaults, instances };
  }, []);
  if (!data) return <Failure error={error} />;
  return (
    <section>
      <h2>Vaults</h2>
      <table class="cards">
        <thead><tr><th>Vault</th><th>Resource group</th><th>Location</th><th>Storage</th><th>Protected items</th></tr></thead>
        <tbody>
          {data.vaults.map((v) => (
            <tr key={v.id}>
              <td data-label="Vault">{v.name}</td>
              <td data-label="Resource group">{v.id.split('/')[4]}</td>
              <td data-label="Location">{v.location}</td>
              <td data-label="Storage">{(v.properties.storageSettings ?? []).map((s) => s.type).join(', ')}</td>
              <td data-label="Protected items">{data.instances.filter((i) => vaultIdOf(i.id).toLowerCase() === v.id.toLowerCase()).length}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {!data.vaults.length && <p class="empty">No vaults yet: <code>dpvault backup-vault create</code>.</p>}
    </section>
  );
}
