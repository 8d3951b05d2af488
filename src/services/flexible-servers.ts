// PostgreSQL flexible servers registered with dpvault, as Microsoft.DBforPostgreSQL/flexibleServers
// resources: where the server is, and the key vault secret with its administrator's connection
// string. The whole server is what AzureDatabaseForPostgreSQLFlexibleServer protects; the vault
// reads that secret with its own identity (backup-instance update-msi-permissions grants it).
import { errors } from '../domain/errors.ts';
import { readTags } from '../domain/tags.ts';
import { INSTANCE_TYPE, type BackupInstanceResource } from '../domain/backup-instance.ts';
import { resourceGroupId, resourceKey } from '../domain/resource-id.ts';
import type { Page } from '../catalog/catalog.ts';
import { FLEXIBLE_SERVER_TYPE, flexibleServerId, type FlexibleServer } from '../domain/flexible-server.ts';
import { parseSecretUri } from '../secrets/key-vault.ts';
import type { ServiceContext } from './context.ts';
import { checkServerName, readServerEndpoint, serverLocation } from './postgres-servers.ts';
import { getResourceGroup, listInGroup } from './resource-groups.ts';

export async function getFlexibleServer(ctx: ServiceContext, sub: string, rg: string, name: string): Promise<FlexibleServer> {
  await getResourceGroup(ctx, sub, rg);
  const found = await ctx.catalog.getResource<FlexibleServer>(flexibleServerId(sub, rg, name));
  if (!found) throw errors.resourceNotFoundInGroup(FLEXIBLE_SERVER_TYPE, name, rg);
  return found.body;
}

/** The registered flexible server with this id, or undefined. */
export async function findFlexibleServer(ctx: ServiceContext, id: string): Promise<FlexibleServer | undefined> {
  return (await ctx.catalog.getResource<FlexibleServer>(id))?.body;
}

/**
 * Registers (or re-registers) a server from `{location, tags, properties: {fullyQualifiedDomainName,
 * port, sslMode, version, administratorSecretUri}}`. The secret is not read here: the vault's
 * identity reads it at each backup, once it may (update-msi-permissions).
 */
export async function putFlexibleServer(
  ctx: ServiceContext, sub: string, rg: string, name: string, body: unknown,
): Promise<{ server: FlexibleServer; created: boolean }> {
  const group = await getResourceGroup(ctx, sub, rg);
  checkServerName(name);
  const b = (body ?? {}) as Record<string, unknown>;
  const p = (b.properties && typeof b.properties === 'object' ? b.properties : {}) as Record<string, unknown>;
  const id = flexibleServerId(sub, group.name, name);
  const existing = await findFlexibleServer(ctx, id);
  const location = serverLocation(b, existing, group.location);
  const { host, port, sslMode, version } = readServerEndpoint(p, existing?.properties.version ?? null);
  const secret = p.administratorSecretUri ?? existing?.properties.administratorSecretUri;
  if (typeof secret !== 'string' || !parseSecretUri(secret)) {
    throw errors.postgresServerParameterInvalid(
      'properties.administratorSecretUri must be the key vault secret holding the administrator\'s connection string: https://<key-vault>.vault.azure.net/secrets/<name>.',
      'properties.administratorSecretUri',
    );
  }
  const server: FlexibleServer = {
    id: existing?.id ?? id,
    name: existing?.name ?? name,
    type: FLEXIBLE_SERVER_TYPE,
    location: existing?.location ?? location,
    resourceGroup: group.name,
    tags: readTags(b.tags, errors.postgresServerParameterInvalid) ?? existing?.tags ?? {},
    properties: { fullyQualifiedDomainName: host, port, sslMode, version, administratorSecretUri: secret, state: 'Ready' },
  };
  await ctx.catalog.putResource({ id: server.id, type: FLEXIBLE_SERVER_TYPE, parentId: resourceGroupId(sub, group.name), body: { ...server } });
  return { server, created: !existing };
}

export async function listFlexibleServers(
  ctx: ServiceContext, sub: string, rg: string | undefined, page: { limit?: number; after?: string },
): Promise<Page<FlexibleServer>> {
  return listInGroup<FlexibleServer>(ctx, FLEXIBLE_SERVER_TYPE, sub, rg, page);
}

/** Forgets a server (the server and its backups are untouched); false when there was none. Refused while a backup instance protects it. */
export async function deleteFlexibleServer(ctx: ServiceContext, sub: string, rg: string, name: string): Promise<boolean> {
  await getResourceGroup(ctx, sub, rg);
  const id = flexibleServerId(sub, rg, name);
  const instances = await ctx.catalog.listResources<BackupInstanceResource>({ type: INSTANCE_TYPE, idPrefix: `/subscriptions/${sub}/` });
  const users = instances.items.filter((i) => resourceKey(i.body.properties.dataSourceInfo.resourceID) === resourceKey(id));
  if (users.length) {
    throw errors.postgresServerInUse(
      `Flexible server '${name}' is protected by backup instance(s) ${users.map((u) => `'${u.body.name}'`).join(', ')}; delete them first, or their backups could not run.`,
    );
  }
  return ctx.catalog.deleteResource(id);
}
