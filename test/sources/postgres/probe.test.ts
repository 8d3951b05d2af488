// Validation probes against a real throwaway cluster: versions, Azure's error codes for bad
// credentials, unreachable servers, missing databases and missing privileges, and the
// database statements a restore needs.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { DpError } from '../../../src/domain/errors.ts';
import { parseConnectionString } from '../../../src/sources/postgres/connection-string.ts';
import {
  createDatabase, databaseExists, dropDatabase, probeDatabase, probeServer,
} from '../../../src/sources/postgres/probe.ts';
import { freePort } from '../../support/pg-bin.ts';
import { startCluster, type PgCluster } from '../../support/pg-cluster.ts';
import { shopSql } from '../../support/pg-fixtures.ts';

const BACKUP_PW = 'b@ckup;pw"1';
let cluster: PgCluster;

before(async () => {
  cluster = await startCluster();
  await cluster.createDatabase('shop', shopSql(50));
  await cluster.createRole('backup', BACKUP_PW);
  await cluster.psql('shop', ['-c', 'GRANT SELECT ON ALL TABLES IN SCHEMA public TO backup']);
  await cluster.psql('shop', ['-c', 'GRANT SELECT ON ALL SEQUENCES IN SCHEMA public TO backup']);
  await cluster.psql('shop', ['-c', 'GRANT USAGE ON SCHEMA "Sales Ops" TO backup']);
  await cluster.psql('shop', ['-c', 'GRANT SELECT ON ALL TABLES IN SCHEMA "Sales Ops" TO backup']);
});
after(() => cluster?.stop());

/** Asserts a DpError with `code` whose message matches `pattern` and never holds the password. */
function isError(code: string, pattern: RegExp, password = BACKUP_PW) {
  return (e: unknown): boolean => {
    assert.ok(e instanceof DpError, String(e));
    assert.equal(e.code, code, e.message);
    assert.match(e.message, pattern);
    assert.ok(!e.message.includes(password), `message leaks the password: ${e.message}`);
    return true;
  };
}

test("probeServer reports the server's major version", async () => {
  const r = await probeServer(cluster.connection('postgres'));
  assert.equal(r.majorVersion, cluster.version);
  assert.match(r.versionString, new RegExp(`^PostgreSQL ${cluster.version}\\.`));
});

test('a URL without sslmode (prefer) falls back to a plain connection', async () => {
  const conn = parseConnectionString(cluster.connectionString('postgres').replace('?sslmode=disable', ''));
  assert.equal(conn.sslMode, 'prefer');
  assert.equal((await probeServer(conn)).majorVersion, cluster.version);
});

test('probeDatabase passes for a user with SELECT on everything and returns the size', async () => {
  const r = await probeDatabase(cluster.connection('shop', 'backup', BACKUP_PW));
  assert.equal(r.majorVersion, cluster.version);
  const [row] = await cluster.query<{ size: string }>('shop', 'SELECT pg_database_size(current_database()) AS size');
  assert.equal(r.sizeBytes, Number(row?.size));
});

test('a wrong password fails with UserErrorDBUserAuthFailed', async () => {
  await assert.rejects(
    probeDatabase(cluster.connection('shop', 'backup', 'not-the-password')),
    isError('UserErrorDBUserAuthFailed', /password authentication failed for user "backup"/, 'not-the-password'),
  );
  await assert.rejects(probeServer(cluster.connection('shop', 'nobody', BACKUP_PW)), isError('UserErrorDBUserAuthFailed', /nobody/));
});

test('nothing listening on the port fails with UserErrorDBServerUnreachable', async () => {
  const port = await freePort();
  await assert.rejects(
    probeServer({ ...cluster.connection('shop', 'backup', BACKUP_PW), port }),
    isError('UserErrorDBServerUnreachable', new RegExp(`127\\.0\\.0\\.1:${port}.*nothing accepts connections`)),
  );
});

test('a missing database fails with UserErrorDBNotFound', async () => {
  await assert.rejects(
    probeDatabase(cluster.connection('no_such_db', 'backup', BACKUP_PW)),
    isError('UserErrorDBNotFound', /"no_such_db" does not exist/),
  );
});

test('a user lacking SELECT on a table fails with UserErrorMissingDBPermissions naming it', async () => {
  await cluster.createRole('partial', BACKUP_PW);
  await cluster.psql('shop', ['-c', 'GRANT SELECT ON ALL TABLES IN SCHEMA public TO partial; GRANT SELECT ON ALL SEQUENCES IN SCHEMA public TO partial; GRANT USAGE ON SCHEMA "Sales Ops" TO partial; REVOKE SELECT ON orders FROM partial']);
  await assert.rejects(
    probeDatabase(cluster.connection('shop', 'partial', BACKUP_PW)),
    isError('UserErrorMissingDBPermissions', /User "partial" cannot back up database "shop": it lacks SELECT on table "Sales Ops"\."Quota Targets", SELECT on table public\.orders\. Grant/),
  );
  await cluster.psql('shop', ['-c', 'REVOKE USAGE ON SCHEMA "Sales Ops" FROM partial; REVOKE SELECT ON SEQUENCE event_ids FROM partial']);
  await assert.rejects(
    probeDatabase(cluster.connection('shop', 'partial', BACKUP_PW)),
    isError('UserErrorMissingDBPermissions', /USAGE on schema "Sales Ops", SELECT on table "Sales Ops"\."Quota Targets", SELECT on sequence public\.event_ids, SELECT on table public\.orders\./),
  );
});

test('a user without CONNECT on the database fails with UserErrorMissingDBPermissions', async () => {
  await cluster.createDatabase('locked');
  await cluster.psql('locked', ['-c', 'REVOKE CONNECT ON DATABASE locked FROM PUBLIC']);
  await assert.rejects(
    probeDatabase(cluster.connection('locked', 'backup', BACKUP_PW)),
    isError('UserErrorMissingDBPermissions', /permission denied for database "locked"/),
  );
});

test('databaseExists, createDatabase and dropDatabase', async () => {
  const su = cluster.connection('postgres');
  await createDatabase(su, 'Restored "db"');
  assert.equal(await databaseExists(su, 'Restored "db"'), true);
  await assert.rejects(createDatabase(su, 'Restored "db"'), isError('UserErrorDatabaseNameAlreadyInUse', /"Restored "db"" already exists/));
  await assert.rejects(
    createDatabase(cluster.connection('postgres', 'backup', BACKUP_PW), 'other'),
    isError('UserErrorMissingDBPermissions', /may not create databases.*CREATEDB/),
  );
  await dropDatabase(su, 'Restored "db"');
  assert.equal(await databaseExists(su, 'Restored "db"'), false);
});
