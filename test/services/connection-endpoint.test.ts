// Which host and port a protected database is reached at: the registered server's, always; the
// secret's Port, when it names the registered host with another port, is a conflict naming both;
// another host is a warning; every part of the connection says where it came from.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DpError } from '../../src/domain/errors.ts';
import { parseConnectionStringParts } from '../../src/sources/postgres/connection-string.ts';
import { resolveEndpoint } from '../../src/services/connection-endpoint.ts';
import type { PostgresServer } from '../../src/domain/postgres-server.ts';

const server = {
  id: '/subscriptions/s/resourceGroups/rg/providers/Microsoft.DBforPostgreSQL/servers/pgsrv',
  name: 'pgsrv',
  resourceGroup: 'rg',
  properties: { fullyQualifiedDomainName: 'db.internal', port: 6543, sslMode: 'prefer' },
} as PostgresServer;
const URI = 'https://kv.vault.azure.net/secrets/dbkey';
const resolve = (secret: string) => resolveEndpoint(server, parseConnectionStringParts(secret), URI, 'empdb11');

describe('parseConnectionStringParts', () => {
  it('says whether the string named a port', () => {
    for (const [text, given] of [
      ['Server=h;User Id=u;Port=5432', true],
      ['Server=h;User Id=u', false],
      ['postgres://u@h:5432/d', true],
      ['postgres://u@h/d', false],
      ['postgres://u@h/d?port=7000', true],
    ] as const) {
      assert.equal(parseConnectionStringParts(text).portGiven, given, text);
    }
  });
});

describe('resolveEndpoint', () => {
  it('connects to the registered host and port with the secret credentials, saying where each came from', () => {
    const r = resolve('Server=DB.internal;Port=6543;User Id=backup;Password=pw;Ssl Mode=Require;Database=other');
    assert.deepEqual(r.conn, { host: 'db.internal', port: 6543, database: 'empdb11', user: 'backup', password: 'pw', sslMode: 'require' });
    assert.deepEqual(r.warnings, []);
    assert.equal(r.report.hostSource, `the registered PostgreSQL server ${server.id}`);
    assert.equal(r.report.portSource, `the registered PostgreSQL server ${server.id} (the secret agrees)`);
    assert.equal(r.report.databaseSource, 'the datasource id');
    assert.equal(r.report.userSource, `the key vault secret ${URI}`);
    assert.match(r.report.sslModeSource, /stricter.*the key vault secret/);
    assert.ok(!JSON.stringify(r.report).includes('pw'), 'the report holds no password');
  });

  it('a secret without a port takes the registered one, with no warning', () => {
    const r = resolve('Server=db.internal;User Id=backup;Password=pw');
    assert.equal(r.conn.port, 6543);
    assert.equal(r.report.portSource, `the registered PostgreSQL server ${server.id}`);
    assert.deepEqual(r.warnings, []);
  });

  it('the registered host with another port is a conflict that names both and never the password', () => {
    assert.throws(() => resolve('Server=db.internal;Port=5433;User Id=backup;Password=pw-secret'), (e: unknown) => {
      assert.ok(e instanceof DpError);
      assert.equal(e.code, 'UserErrorConnectionStringConflict');
      assert.equal(e.status, 400);
      assert.match(e.message, /says Server=db\.internal;Port=5433, but the PostgreSQL server 'pgsrv' is registered at db\.internal:6543/);
      assert.match(e.message, /dpvault postgres server create -g rg -n pgsrv --host db\.internal --port 5433/);
      assert.ok(e.message.includes(URI));
      assert.ok(!e.message.includes('pw-secret'));
      return true;
    });
  });

  it('another host is a warning naming both; the registered endpoint is used', () => {
    const r = resolve('Server=pgsrv.postgres.database.azure.com;Port=5432;User Id=backup@pgsrv;Password=pw');
    assert.equal(r.conn.host, 'db.internal');
    assert.equal(r.conn.port, 6543);
    assert.equal(r.warnings.length, 1);
    assert.match(r.warnings[0]!, /names the server pgsrv\.postgres\.database\.azure\.com:5432; dpvault connects to db\.internal:6543/);
  });
});
