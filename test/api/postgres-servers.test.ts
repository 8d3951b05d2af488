// PostgreSQL server registration over real HTTP, and live database listing against a real
// throwaway cluster with credentials from a key vault secret.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { PostgresServer } from '../../src/domain/postgres-server.ts';
import { serverConnection } from '../../src/services/postgres-servers.ts';
import { startCluster, type PgCluster } from '../support/pg-cluster.ts';
import { startTestService, type TestService } from '../support/service.ts';

const PG_API = '2017-12-01';
const KV_API = '2024-11-01';
const BACKUP_PW = 'b@ckup;pw-7f3';

let svc: TestService;
let cluster: PgCluster;
let sub: string;
const rgPath = () => `/subscriptions/${sub}/resourceGroups/ossrg`;
const serverPath = (name: string) => `${rgPath()}/providers/Microsoft.DBforPostgreSQL/servers/${name}`;
const kvPath = () => `${rgPath()}/providers/Microsoft.KeyVault/vaults/pgkv`;
const pgApi = (method: string, path: string, body?: unknown) => svc.http(method, path, body, PG_API);
const setSecret = (name: string, value: string) => svc.http('PUT', `${kvPath()}/secrets/${name}`, { properties: { value } }, KV_API);
const secretUri = (name: string) => encodeURIComponent(`https://pgkv.vault.azure.net/secrets/${name}`);

before(async () => {
  [svc, cluster] = await Promise.all([startTestService(), startCluster()]);
  sub = (await svc.http('GET', '/subscriptions', undefined, '2024-11-01')).body.value[0].subscriptionId;
  await svc.http('PUT', rgPath(), { location: 'eastus' }, '2024-11-01');
  await svc.http('PUT', kvPath(), { location: 'eastus' }, KV_API);
  await cluster.createDatabase('empdb11');
  await cluster.createRole('backup', BACKUP_PW);
  // The connection string copied from Azure names Azure's host; the registration says where the server really is.
  await setSecret('ossdbkey', `Server=archive-postgresql-ccy.postgres.database.azure.com;Database=postgres;Port=5432;User Id=backup;Password=${'"'}${BACKUP_PW}${'"'};Ssl Mode=Disable;`);
  await setSecret('wrongpw', 'Server=x;Database=postgres;User Id=backup;Password=not-the-password;Ssl Mode=Disable;');
});
after(async () => {
  await svc?.close();
  await cluster?.stop();
});

describe('postgres servers', () => {
  it('registers a server shaped like Azure\'s, in the group\'s location by default', async () => {
    const res = await pgApi('PUT', serverPath('archive-postgresql-ccy'), {
      properties: { fullyQualifiedDomainName: cluster.host, port: cluster.port, sslMode: 'Disable' },
    });
    assert.equal(res.status, 201);
    assert.equal(res.body.type, 'Microsoft.DBforPostgreSQL/servers');
    assert.equal(res.body.location, 'eastus');
    assert.deepEqual(res.body.properties, {
      fullyQualifiedDomainName: cluster.host, port: cluster.port, sslMode: 'disable', sslEnforcement: 'Disabled', version: null,
      administratorLogin: null, userVisibleState: 'Ready', publicNetworkAccess: 'Enabled',
    });
    const shown = await pgApi('GET', serverPath('archive-postgresql-ccy'));
    assert.deepEqual(shown.body, res.body);
  });

  it('validates the name, host, port and TLS mode', async () => {
    const cases: [string, unknown, string][] = [
      ['Bad_Name', { fullyQualifiedDomainName: 'h' }, 'InvalidResourceName'],
      ['srv1', {}, 'InvalidRequestParameter'],
      ['srv1', { fullyQualifiedDomainName: 'a host' }, 'InvalidRequestParameter'],
      ['srv1', { fullyQualifiedDomainName: 'h', port: 70000 }, 'InvalidRequestParameter'],
      ['srv1', { fullyQualifiedDomainName: 'h', sslMode: 'always' }, 'InvalidRequestParameter'],
    ];
    for (const [name, properties, code] of cases) {
      const res = await pgApi('PUT', serverPath(name), { properties });
      assert.equal(res.status, 400, JSON.stringify(properties));
      assert.equal(res.body.error.code, code);
    }
    assert.equal((await pgApi('GET', serverPath('srv1'))).status, 404);
  });

  it('lists per group and subscription, and deletes', async () => {
    await pgApi('PUT', serverPath('other'), { location: 'eastus', properties: { fullyQualifiedDomainName: 'db.internal', sslMode: 'verify-full' } });
    const inGroup = await pgApi('GET', `${rgPath()}/providers/Microsoft.DBforPostgreSQL/servers`);
    assert.deepEqual(inGroup.body.value.map((s: { name: string }) => s.name), ['archive-postgresql-ccy', 'other']);
    assert.equal(inGroup.body.value[1].properties.port, 5432);
    assert.equal(inGroup.body.value[1].properties.sslEnforcement, 'Enabled');
    const all = await pgApi('GET', `/subscriptions/${sub}/providers/Microsoft.DBforPostgreSQL/servers`);
    assert.equal(all.body.value.length, 2);
    assert.equal((await pgApi('DELETE', serverPath('other'))).status, 200);
    assert.equal((await pgApi('DELETE', serverPath('other'))).status, 204);
    assert.equal((await pgApi('GET', serverPath('other'))).status, 404);
  });
});

describe('databases, live', () => {
  it('lists the server\'s databases with the secret\'s credentials at the registered host', async () => {
    const res = await pgApi('GET', `${serverPath('archive-postgresql-ccy')}/databases?secretUri=${secretUri('ossdbkey')}`);
    assert.equal(res.status, 200, JSON.stringify(res.body));
    const names = res.body.value.map((d: { name: string }) => d.name);
    assert.deepEqual(names, ['empdb11', 'postgres']);
    const db = res.body.value[0];
    assert.equal(db.id, `${serverPath('archive-postgresql-ccy')}/databases/empdb11`);
    assert.equal(db.type, 'Microsoft.DBforPostgreSQL/servers/databases');
    assert.equal(typeof db.properties.charset, 'string');
    assert.equal(typeof db.properties.collation, 'string');
    const one = await pgApi('GET', `${serverPath('archive-postgresql-ccy')}/databases/empdb11?secretUri=${secretUri('ossdbkey')}`);
    assert.deepEqual(one.body, db);
    const missing = await pgApi('GET', `${serverPath('archive-postgresql-ccy')}/databases/nosuch?secretUri=${secretUri('ossdbkey')}`);
    assert.equal(missing.status, 404);
  });

  it('needs a secret, and reports bad credentials without the password', async () => {
    const none = await pgApi('GET', `${serverPath('archive-postgresql-ccy')}/databases`);
    assert.equal(none.status, 400);
    assert.match(none.body.error.message, /secretUri/);
    const wrong = await pgApi('GET', `${serverPath('archive-postgresql-ccy')}/databases?secretUri=${secretUri('wrongpw')}`);
    assert.equal(wrong.status, 400);
    assert.equal(wrong.body.error.code, 'UserErrorDBUserAuthFailed');
    assert.ok(!JSON.stringify(wrong.body).includes('not-the-password'));
    const noSecret = await pgApi('GET', `${serverPath('archive-postgresql-ccy')}/databases?secretUri=${secretUri('nosuch')}`);
    assert.equal(noSecret.body.error.code, 'UserErrorInvalidSecret');
  });
});

describe('serverConnection', () => {
  const server = (sslMode: PostgresServer['properties']['sslMode']) =>
    ({ properties: { fullyQualifiedDomainName: 'real.host', port: 6543, sslMode } }) as PostgresServer;
  const fromSecret = { host: 'azure.host', port: 5432, database: 'postgres', user: 'u', password: 'p', sslMode: 'require' as const };

  it('takes host and port from the registration, credentials from the secret, the stricter TLS mode', () => {
    assert.deepEqual(serverConnection(server('prefer'), fromSecret, 'empdb11'), {
      host: 'real.host', port: 6543, database: 'empdb11', user: 'u', password: 'p', sslMode: 'require',
    });
    assert.equal(serverConnection(server('verify-full'), fromSecret, 'd').sslMode, 'verify-full');
    assert.equal(serverConnection(server('disable'), { ...fromSecret, sslMode: 'disable' }, 'd').sslMode, 'disable');
  });
});
