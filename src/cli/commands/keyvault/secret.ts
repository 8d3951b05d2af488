// `dpvault keyvault secret set|show|list|list-versions|delete`, as `az keyvault secret`, with its
// output shapes. Only `show` asks the service for a value (POST .../listValue); `set` prints the
// value it just sent, as az does.
import { readFileSync } from 'node:fs';
import { badArgument, errors, usage } from '../../../domain/errors.ts';
import { parseKeyVaultUri, parseSecretUri, type SecretUriParts } from '../../../secrets/key-vault.ts';
import { defineCommand, type ArgSpec, type ArgValues, type CommandContext } from '../../command.ts';
import { parseTags } from '../../tags.ts';
import { KV_API, KV_QUERY, locateKeyVault } from './target.ts';
import { tagsArg } from '../../common-args.ts';

const ENCODINGS = ['ascii', 'base64', 'hex', 'utf-8', 'utf-16be', 'utf-16le'] as const;

const vaultName: ArgSpec = { names: ['--vault-name'], help: 'Name of the key vault.' };
const secretName: ArgSpec = { names: ['--name', '-n'], help: 'Name of the secret.' };
const secretId: ArgSpec = { names: ['--id'], help: 'Id of the secret: https://{vault}.vault.azure.net/secrets/{name}[/{version}].' };
const maxResults: ArgSpec = { names: ['--maxresults'], type: 'int', help: 'Maximum number of results to return.' };

/** The secret a command names, by --id or by --vault-name and --name. */
function secretTarget(a: ArgValues, allowVersion: boolean): SecretUriParts {
  if (a.id !== undefined) {
    if (a.vaultName !== undefined || a.name !== undefined) throw usage('usage error: --id ID | --vault-name VAULT --name NAME');
    const parts = parseSecretUri(a.id as string);
    if (!parts) throw badArgument(`--id is not a secret id; expected https://<vault>.vault.azure.net/secrets/<name>[/<version>].`);
    if (parts.version && !allowVersion) throw badArgument('This command takes a secret id without a version.');
    return parts;
  }
  if (a.vaultName === undefined || a.name === undefined) throw usage('usage error: --id ID | --vault-name VAULT --name NAME');
  return { vaultName: a.vaultName as string, name: a.name as string, ...(a.version ? { version: a.version as string } : {}) };
}

async function secretPath(ctx: CommandContext, t: SecretUriParts): Promise<string> {
  return `${await locateKeyVault(ctx, t.vaultName)}/secrets/${t.name}`;
}

/** The vault a listing command names, by --vault-name or a vault URI in --id. */
function listedVault(a: ArgValues): string {
  if ((a.vaultName === undefined) === (a.id === undefined)) throw usage('usage error: --id ID | --vault-name VAULT');
  if (a.vaultName !== undefined) return a.vaultName as string;
  const name = parseKeyVaultUri(a.id as string) ?? parseSecretUri(a.id as string)?.vaultName;
  if (!name) throw badArgument(`--id is not a key vault URI; expected https://<vault>.vault.azure.net/.`);
  return name;
}

/** Reads --file as az does: text for the text encodings, or the bytes encoded as base64/hex. */
function readValueFile(path: string, encoding: (typeof ENCODINGS)[number]): string {
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch (e) {
    throw errors.argumentValueInvalid(`argument --file: cannot read '${path}': ${(e as NodeJS.ErrnoException).code ?? 'error'}`);
  }
  switch (encoding) {
    case 'base64':
    case 'hex':
      return bytes.toString(encoding);
    case 'ascii':
      return bytes.toString('latin1');
    case 'utf-16le':
      return bytes.toString('utf16le');
    case 'utf-16be':
      return Buffer.from(bytes).swap16().toString('utf16le');
    default:
      return bytes.toString('utf8');
  }
}

const limit = (items: unknown[], max: unknown) => (typeof max === 'number' ? items.slice(0, Math.max(0, max)) : items);

export const secretCommands = [
  defineCommand({
    path: ['keyvault', 'secret', 'set'],
    summary: 'Create a secret, or add a new version of it.',
    args: {
      vaultName: { ...vaultName, required: true },
      name: { ...secretName, required: true },
      value: { names: ['--value'], help: 'Plain text secret value.' },
      file: { names: ['--file', '-f'], help: 'Source file for the secret.' },
      encoding: { names: ['--encoding', '-e'], enum: ENCODINGS, default: 'utf-8', help: 'Source file encoding.' },
      contentType: { names: ['--content-type'], help: 'Type of the secret value, such as a password.' },
      tags: tagsArg,
    },
    async run(a, ctx) {
      if ((a.value === undefined) === (a.file === undefined)) throw usage('usage error: --value VALUE | --file PATH');
      const fromFile = a.file !== undefined;
      const value = fromFile ? readValueFile(a.file as string, a.encoding as (typeof ENCODINGS)[number]) : (a.value as string);
      const tags = { ...(parseTags(a.tags as string[] | undefined) ?? {}), ...(fromFile ? { 'file-encoding': a.encoding as string } : {}) };
      const path = await secretPath(ctx, { vaultName: a.vaultName as string, name: a.name as string });
      const body = { properties: { value, contentType: (a.contentType as string | undefined) ?? null }, tags };
      const res = await ctx.client.send('PUT', path, { body, apiVersion: KV_API });
      return { ...(res.body as Record<string, unknown>), value };
    },
  }),
  defineCommand({
    path: ['keyvault', 'secret', 'show'],
    summary: 'Get a specified secret from a given key vault, with its value.',
    args: { id: secretId, vaultName, name: secretName, version: { names: ['--version', '-v'], help: 'The secret version (latest when omitted).' } },
    async run(a, ctx) {
      const t = secretTarget(a, true);
      const path = await secretPath(ctx, t);
      return (await ctx.client.send('POST', `${path}${t.version ? `/versions/${t.version}` : ''}/listValue`, { apiVersion: KV_API })).body;
    },
  }),
  defineCommand({
    path: ['keyvault', 'secret', 'list'],
    summary: 'List secrets in a specified key vault (values are not shown).',
    args: { id: { ...secretId, help: 'The vault URI: https://{vault}.vault.azure.net/.' }, vaultName, maxResults },
    async run(a, ctx) {
      const path = `${await locateKeyVault(ctx, listedVault(a))}/secrets`;
      return limit(await ctx.client.listAll(path, KV_QUERY), a.maxResults);
    },
  }),
  defineCommand({
    path: ['keyvault', 'secret', 'list-versions'],
    summary: 'List all versions of the specified secret.',
    args: { id: secretId, vaultName, name: secretName, maxResults },
    async run(a, ctx) {
      const path = await secretPath(ctx, secretTarget(a, false));
      return limit(await ctx.client.listAll(`${path}/versions`, KV_QUERY), a.maxResults);
    },
  }),
  defineCommand({
    path: ['keyvault', 'secret', 'delete'],
    summary: 'Delete a secret and all its versions.',
    args: { id: secretId, vaultName, name: secretName },
    async run(a, ctx) {
      const path = await secretPath(ctx, secretTarget(a, false));
      return (await ctx.client.send('DELETE', path, { apiVersion: KV_API })).body;
    },
  }),
];
