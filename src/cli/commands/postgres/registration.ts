// What registering a server takes on the command line, for `postgres server create` and
// `postgres flexible-server create` alike: where the server is, and the body of the PUT.
import type { ArgSpec, ArgValues } from '../../command.ts';
import { parseTags } from '../../tags.ts';
import { tagsArg } from '../../common-args.ts';

const SSL_MODES = ['disable', 'allow', 'prefer', 'require', 'verify-ca', 'verify-full'];

export const resourceGroupArg: ArgSpec = { names: ['--resource-group', '-g'], required: true, help: 'Name of resource group.' };
export const serverNameArgs = {
  resourceGroup: resourceGroupArg,
  name: { names: ['--name', '-n'], required: true, help: 'Name of the server.' },
} satisfies Record<string, ArgSpec>;

export const registrationArgs = {
  ...serverNameArgs,
  host: { names: ['--host'], required: true, help: 'Host name, IP address or Unix socket directory of the server.' },
  port: { names: ['--port'], type: 'int', default: '5432', help: 'TCP port the server listens on (default 5432).' },
  sslMode: { names: ['--ssl-mode'], enum: SSL_MODES, help: 'TLS mode (libpq\'s sslmode); the stricter of this and the secret\'s Ssl Mode applies. Default prefer.' },
  version: { names: ['--version'], help: 'PostgreSQL major version, e.g. 16.' },
  location: { names: ['--location', '-l'], help: 'Defaults to the resource group\'s location.' },
  tags: tagsArg,
} satisfies Record<string, ArgSpec>;

/** The PUT body of a registration; `extra` adds properties of its own kind. */
export function registrationBody(a: ArgValues, extra: Record<string, unknown> = {}): Record<string, unknown> {
  const properties: Record<string, unknown> = { fullyQualifiedDomainName: a.host, port: Number(a.port), ...extra };
  if (a.sslMode !== undefined) properties.sslMode = a.sslMode;
  if (a.version !== undefined) properties.version = a.version;
  const body: Record<string, unknown> = { properties };
  if (a.location !== undefined) body.location = a.location;
  if (a.tags !== undefined) body.tags = parseTags(a.tags as string[]);
  return body;
}
