// A PostgreSQL flexible server registered with dpvault, as the REST API shows it (a
// Microsoft.DBforPostgreSQL/flexibleServers resource): where the server is, and the key vault
// secret that holds its administrator's connection string. The whole server is the datasource of
// AzureDatabaseForPostgreSQLFlexibleServer; the vault reaches it with its own identity (a role on
// the server, read access to that secret), never with a secret named in the backup instance.
import type { PostgresServer, SslMode } from './postgres-server.ts';
import { resourceGroupId } from './resource-id.ts';

export const FLEXIBLE_SERVER_TYPE = 'Microsoft.DBforPostgreSQL/flexibleServers';

/** A registration's resource fields are a single server's: id, name, location, group, tags. */
export interface FlexibleServer extends Omit<PostgresServer, 'type' | 'properties'> {
  type: typeof FLEXIBLE_SERVER_TYPE;
  properties: {
    /** The host clients connect to (a DNS name, an IP address or a Unix socket directory). */
    fullyQualifiedDomainName: string;
    port: number;
    sslMode: SslMode;
    /** The major version when it was given; null until then. */
    version: string | null;
    /** dpvault's: the key vault secret (https://KV.vault.azure.net/secrets/S) with the administrator's connection string. */
    administratorSecretUri: string;
    state: 'Ready';
  };
}

export const flexibleServerId = (sub: string, rg: string, name: string): string =>
  `${resourceGroupId(sub, rg)}/providers/Microsoft.DBforPostgreSQL/flexibleServers/${name}`;
