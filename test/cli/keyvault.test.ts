// The `dpvault keyvault` and `dpvault postgres` commands, run as the built binary against a real
// service (and, for the live database listing, a real PostgreSQL cluster). Needs `npm run build`.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startCluster, type PgCluster } from '../support/pg-cluster.ts';
import { runCli, startTestService, type TestService } from '../support/service.ts';

const PRINCIPAL = '0a1b2c3d-1111-4222-8333-444455556666';
const VALUE = 'Server=ignored.example;Database=postgres;Port=5432;User Id=backup;Password=cli-s3cret;Ssl Mode=Disable;';

let svc: TestService;
let cluster: PgCluster;
let dir: string;
const cli = (...args: string[]) => runCli(args, { endpoint: svc.url });

before(async () => {
  [svc, cluster] = await Promise.all([startTestService(), startCluster()]);
  dir = mkdtempSync(join(tmpdir(), 'dpvault-kvcli-'));
  await cluster.createRole('backup', 'cli-s3cret');
  assert.equal((await cli('group', 'create', '-n', 'ossrg', '-l', 'eastus')).code, 0);
});
after(async () => {
  await svc?.close();
  await cluster?.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('keyvault', () => {
  it('creates a vault in the group\'s location and finds it by name alone', async () => {
    const created = await cli('keyvault', 'create', '-g', 'ossrg', '-n', 'testkeyvaulteus');
    assert.equal(created.code, 0, created.stderr);
    assert.equal(created.json.location, 'eastus');
    assert.equal(created.json.properties.vaultUri, 'https://testkeyvaulteus.vault.azure.net/');
    const shown = await cli('keyvault', 'show', '-n', 'testkeyvaulteus');
    assert.equal(shown.code, 0, shown.stderr);
    assert.equal(shown.json.id, created.json.id);
    const list = await cli('keyvault', 'list', '--query', '[].name', '-o', 'tsv');
    assert.equal(list.stdout, 'testkeyvaulteus\n');
    const missing = await cli('keyvault', 'show', '-n', 'nokv');
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /ResourceNotFound/);
  });

  it('refuses a name taken in another group', async () => {
    await cli('group', 'create', '-n', 'other', '-l', 'eastus');
    const res = await cli('keyvault', 'create', '-g', 'other', '-n', 'testkeyvaulteus');
    assert.equal(res.code, 1);
    assert.match(res.stderr, /\(VaultAlreadyExists\)/);
  });

  it('set-policy validates permissions and keeps the categories not given', async () => {
    const bad = await cli('keyvault', 'set-policy', '-n', 'testkeyvaulteus', '--object-id', PRINCIPAL, '--secret-permissions', 'get', 'read');
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /argument --secret-permissions: invalid choice: 'read'/);
    const none = await cli('keyvault', 'set-policy', '-n', 'testkeyvaulteus', '--object-id', PRINCIPAL);
    assert.equal(none.code, 2);
    await cli('keyvault', 'set-policy', '-n', 'testkeyvaulteus', '--object-id', PRINCIPAL, '--key-permissions', 'get');
    const set = await cli('keyvault', 'set-policy', '-n', 'testkeyvaulteus', '-g', 'ossrg', '--object-id', PRINCIPAL, '--secret-permissions', 'Get', 'list');
    assert.equal(set.code, 0, set.stderr);
    // The Owner that made the vault has its own entry (every secret permission, as az gives the signed-in user).
    const others = set.json.properties.accessPolicies.filter((p: { objectId: string }) => p.objectId !== svc.ownerObjectId);
    assert.deepEqual(others.map((p: { objectId: string; permissions: unknown }) => [p.objectId, p.permissions]), [
      [PRINCIPAL, { keys: ['get'], secrets: ['get', 'list'], certificates: [], storage: [] }],
    ]);
  });

  it('delete-policy removes the principal\'s entry', async () => {
    const other = '0a1b2c3d-9999-4222-8333-444455556666';
    await cli('keyvault', 'set-policy', '-n', 'testkeyvaulteus', '--object-id', other, '--secret-permissions', 'all');
    const res = await cli('keyvault', 'delete-policy', '-n', 'testkeyvaulteus', '--object-id', other);
    assert.equal(res.code, 0, res.stderr);
    assert.deepEqual(res.json.properties.accessPolicies.map((p: { objectId: string }) => p.objectId), [svc.ownerObjectId, PRINCIPAL]);
  });
});

describe('keyvault secret', () => {
  it('set prints the new version with its value; list and the metadata never show it', async () => {
    const set = await cli('keyvault', 'secret', 'set', '--vault-name', 'testkeyvaulteus', '-n', 'ossdbkey', '--value', VALUE);
    assert.equal(set.code, 0, set.stderr);
    assert.equal(set.json.value, VALUE);
    assert.match(set.json.id, /^https:\/\/testkeyvaulteus\.vault\.azure\.net\/secrets\/ossdbkey\/[0-9a-f]{32}$/);
    assert.deepEqual(Object.keys(set.json).sort(), ['attributes', 'contentType', 'id', 'kid', 'managed', 'name', 'tags', 'value']);
    const list = await cli('keyvault', 'secret', 'list', '--vault-name', 'testkeyvaulteus');
    assert.equal(list.code, 0, list.stderr);
    assert.deepEqual(list.json.map((s: { id: string }) => s.id), ['https://testkeyvaulteus.vault.azure.net/secrets/ossdbkey']);
    assert.ok(!list.stdout.includes('cli-s3cret'));
  });

  it('show returns the value, by name or by the secret URI (with or without a version)', async () => {
    const byName = await cli('keyvault', 'secret', 'show', '--vault-name', 'testkeyvaulteus', '-n', 'ossdbkey');
    assert.equal(byName.code, 0, byName.stderr);
    assert.equal(byName.json.value, VALUE);
    const second = await cli('keyvault', 'secret', 'set', '--vault-name', 'testkeyvaulteus', '-n', 'ossdbkey', '--value', 'rotated');
    const byUri = await cli('keyvault', 'secret', 'show', '--id', 'https://testkeyvaulteus.vault.azure.net/secrets/ossdbkey');
    assert.equal(byUri.json.value, 'rotated');
    assert.equal(byUri.json.id, second.json.id);
    const old = await cli('keyvault', 'secret', 'show', '--id', byName.json.id);
    assert.equal(old.json.value, VALUE);
    const versions = await cli('keyvault', 'secret', 'list-versions', '--vault-name', 'testkeyvaulteus', '-n', 'ossdbkey');
    assert.deepEqual(versions.json.map((v: { id: string }) => v.id), [byName.json.id, second.json.id]);
    const bad = await cli('keyvault', 'secret', 'show', '--id', 'https://testkeyvaulteus.vault.azure.net/keys/ossdbkey');
    assert.equal(bad.code, 1);
    const neither = await cli('keyvault', 'secret', 'show', '--vault-name', 'testkeyvaulteus');
    assert.equal(neither.code, 2);
  });

  it('set reads --file, tagging the encoding as az does', async () => {
    const file = join(dir, 'conn.txt');
    writeFileSync(file, VALUE);
    const set = await cli('keyvault', 'secret', 'set', '--vault-name', 'testkeyvaulteus', '-n', 'fromfile', '--file', file);
    assert.equal(set.code, 0, set.stderr);
    assert.deepEqual(set.json.tags, { 'file-encoding': 'utf-8' });
    const b64 = await cli('keyvault', 'secret', 'set', '--vault-name', 'testkeyvaulteus', '-n', 'fromfile', '-f', file, '-e', 'base64');
    assert.equal(b64.json.value, Buffer.from(VALUE).toString('base64'));
    const both = await cli('keyvault', 'secret', 'set', '--vault-name', 'testkeyvaulteus', '-n', 'x', '--file', file, '--value', 'v');
    assert.equal(both.code, 2);
    assert.match(both.stderr, /--value VALUE \| --file PATH/);
  });

  it('delete removes the secret', async () => {
    const del = await cli('keyvault', 'secret', 'delete', '--vault-name', 'testkeyvaulteus', '-n', 'fromfile');
    assert.equal(del.code, 0, del.stderr);
    assert.equal(del.json.name, 'fromfile');
    assert.equal(del.json.value, undefined);
    const gone = await cli('keyvault', 'secret', 'show', '--vault-name', 'testkeyvaulteus', '-n', 'fromfile');
    assert.equal(gone.code, 1);
    assert.match(gone.stderr, /SecretNotFound/);
  });
});

describe('postgres', () => {
  it('registers a server, lists its databases live with a key vault secret, and forgets it', async () => {
    await cli('keyvault', 'secret', 'set', '--vault-name', 'testkeyvaulteus', '-n', 'ossdbkey', '--value', VALUE);
    const created = await cli('postgres', 'server', 'create', '-g', 'ossrg', '-n', 'testposgresql', '--host', cluster.host,
      '--port', String(cluster.port), '--ssl-mode', 'disable');
    assert.equal(created.code, 0, created.stderr);
    assert.equal(created.json.properties.fullyQualifiedDomainName, cluster.host);
    const shown = await cli('postgres', 'server', 'show', '-g', 'ossrg', '-n', 'testposgresql');
    assert.deepEqual(shown.json, created.json);
    const listed = await cli('postgres', 'server', 'list', '-g', 'ossrg', '--query', '[].name', '-o', 'tsv');
    assert.equal(listed.stdout, 'testposgresql\n');

    const dbs = await cli('postgres', 'db', 'list', '-g', 'ossrg', '-s', 'testposgresql', '--secret-uri', 'https://testkeyvaulteus.vault.azure.net/secrets/ossdbkey');
    assert.equal(dbs.code, 0, dbs.stderr);
    assert.ok(dbs.json.some((d: { id: string }) => d.id === `${created.json.id}/databases/postgres`));
    const byName = await cli('postgres', 'db', 'show', '-g', 'ossrg', '-s', 'testposgresql', '-n', 'postgres', '--vault-name', 'testkeyvaulteus',
      '--secret-name', 'ossdbkey');
    assert.equal(byName.code, 0, byName.stderr);
    assert.equal(byName.json.type, 'Microsoft.DBforPostgreSQL/servers/databases');
    const noSecret = await cli('postgres', 'db', 'list', '-g', 'ossrg', '-s', 'testposgresql');
    assert.equal(noSecret.code, 2);

    assert.equal((await cli('postgres', 'server', 'delete', '-g', 'ossrg', '-n', 'testposgresql', '--yes')).code, 0);
    assert.equal((await cli('postgres', 'server', 'show', '-g', 'ossrg', '-n', 'testposgresql')).code, 1);
  });
});

describe('keyvault delete', () => {
  it('deletes the vault and its secrets', async () => {
    assert.equal((await cli('keyvault', 'delete', '-n', 'testkeyvaulteus')).code, 0);
    assert.equal((await cli('keyvault', 'list', '-g', 'ossrg')).json.length, 0);
    assert.equal(await svc.ctx.catalog.countResources({ type: 'Microsoft.KeyVault/vaults/secrets' }), 0);
  });
});
