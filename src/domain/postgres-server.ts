// A PostgreSQL server registered with dpvault, as the REST API shows it (a
// Microsoft.DBforPostgreSQL/servers resource: where the server is and how to reach it over TLS),
// and the databases listed live on it.
import { resourceGroupId } from './resource-id.ts';

/** libpq's sslmode values. */
export type SslMode = 'disable' | 'allow' | 'prefer' | 'require' | 'verify-ca' | 'verify-full';

export const POSTGRES_SERVER_TYPE = 'Microsoft.DBforPostgreSQL/servers';
export const POSTGRES_DATABASE_TYPE = 'Microsoft.DBforPostgreSQL/servers/databases';

export const SSL_MODES: readonly SslMode[] = ['disable', 'allow', 'prefer', 'require', 'verify-ca', 'verify-full'];

export interface PostgresServer {
  id: string;
  name: string;
  type: typeof POSTGRES_SERVER_TYPE;
  location: string;
  resourceGroup: string;
  tags: Record<string, string>;
  properties: {
    /** The host clients connect to (a DNS name, an IP address or a Unix socket directory). */
    fullyQualifiedDomainName: string;
    port: number;
    sslMode: SslMode;
    /** Azure's view of sslMode: Enabled when TLS is required. */
    sslEnforcement: 'Enabled' | 'Disabled';
    /** The major version when it was given or learned; null until then. */
    version: string | null;
    administratorLogin: null;
    userVisibleState: 'Ready';
    publicNetworkAccess: 'Enabled';
  };
}

export interface PostgresDatabase {
  id: string;
  name: string;
  type: typeof POSTGRES_DATABASE_TYPE;
  properties: { charset: string; collation: string };
}

export const postgresServerId = (sub: string, rg: string, name: string): string =>
  `${resourceGroupId(sub, rg)}/providers/Microsoft.DBforPostgreSQL/servers/${name}`;

/** What reaching a registered server needs, of a single server's or a flexible server's registration. */
export interface RegisteredServer {
  id: string;
  name: string;
  resourceGroup: string;
  properties: Pick<PostgresServer['properties'], 'fullyQualifiedDomainName' | 'port' | 'sslMode'>;
}
