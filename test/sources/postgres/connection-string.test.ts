// Connection strings: Azure's ADO.NET form and its variants, postgres:// URLs, the child-process
// environment and the pg client config, and errors that never quote the password.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DpError } from '../../../src/domain/errors.ts';
import { parseConnectionString, toLibpqEnv, toPgConfig, type PgConnection } from '../../../src/sources/postgres/connection-string.ts';

const SECRET = 'S3cr;et"pw';
/** SECRET as an ADO.NET value: double-quoted, inner quotes doubled. */
const QUOTED = `"${SECRET.replace(/"/g, '""')}"`;

function rejects(text: string, pattern: RegExp, secret = SECRET): void {
  assert.throws(() => parseConnectionString(text), (e: unknown) => {
    assert.ok(e instanceof DpError);
    assert.equal(e.code, 'UserErrorSecretValueInUnsupportedFormat');
    assert.match(e.message, pattern);
    assert.ok(!e.message.includes(secret), `message leaks the password: ${e.message}`);
    return true;
  });
}

test("parses the ADO.NET string Azure's portal gives, keeping user@server", () => {
  const c = parseConnectionString('Server=srv1.postgres.database.azure.com;Database=shop;Port=5432;User Id=backup@srv1;Password=pw1;Ssl Mode=Require;');
  assert.deepEqual(c, {
    host: 'srv1.postgres.database.azure.com', port: 5432, database: 'shop', user: 'backup@srv1', password: 'pw1', sslMode: 'require',
  } satisfies PgConnection);
});

test('ADO.NET keys are case-insensitive, spaces in keys optional, and aliases accepted', () => {
  for (const userKey of ['UserID', 'User Id', 'user id', 'Username', 'User Name', 'Uid', 'USER']) {
    const c = parseConnectionString(`host=h; ${userKey}=u ;PWD=p;DATABASE=d;sslmode=verifyfull;port=6543`);
    assert.equal(c.user, 'u', userKey);
    assert.equal(c.host, 'h');
    assert.equal(c.password, 'p');
    assert.equal(c.database, 'd');
    assert.equal(c.port, 6543);
    assert.equal(c.sslMode, 'verify-full');
  }
});

test('every Ssl Mode value maps to the libpq name, and defaults apply', () => {
  const modes: Record<string, string> = {
    Disable: 'disable', Allow: 'allow', Prefer: 'prefer', Require: 'require', VerifyCA: 'verify-ca', VerifyFull: 'verify-full', 'verify-ca': 'verify-ca',
  };
  for (const [given, want] of Object.entries(modes)) {
    assert.equal(parseConnectionString(`Server=h;User Id=u;Ssl Mode=${given}`).sslMode, want);
  }
  const d = parseConnectionString('Server=h;User Id=u');
  assert.deepEqual([d.port, d.database, d.password, d.sslMode], [5432, 'postgres', null, 'prefer']);
});

test('quoted values may hold ; = and doubled quotes', () => {
  const c = parseConnectionString(`Server=h;User Id='o''brien';Password=${QUOTED};Database="a=b; c"`);
  assert.equal(c.user, "o'brien");
  assert.equal(c.password, SECRET);
  assert.equal(c.database, 'a=b; c');
});

test('the last of a repeated key wins and unknown keys are ignored', () => {
  const c = parseConnectionString('Server=a;Server=b;User Id=u;Trust Server Certificate=true;Timeout=15');
  assert.equal(c.host, 'b');
});

test('parses postgres:// and postgresql:// URLs with percent-decoding and sslmode', () => {
  const c = parseConnectionString(`postgresql://backup%40srv1:${encodeURIComponent(SECRET)}@db.example.org:6000/my%20db?sslmode=verify-full&application_name=x`);
  assert.deepEqual(c, { host: 'db.example.org', port: 6000, database: 'my db', user: 'backup@srv1', password: SECRET, sslMode: 'verify-full' });
  const d = parseConnectionString('postgres://u@[::1]/shop');
  assert.deepEqual([d.host, d.port, d.database, d.password, d.sslMode], ['::1', 5432, 'shop', null, 'prefer']);
  assert.equal(parseConnectionString('postgres://u@h').database, 'postgres');
});

test('malformed strings fail with UserErrorSecretValueInUnsupportedFormat and never quote the password', () => {
  rejects('just some text', /not in the form Key=Value/);
  rejects(`Server=h;User Id=u;Password=S3cr;et"pw`, /not in the form Key=Value/, 'et"pw');
  rejects('Server=h;User Id=u;Password="S3cr;etpw', /'Password' opens a quote that is never closed/, 'S3cr;etpw');
  rejects(`Server=h;User Id=u;Password="abc"${SECRET};`, /followed by text/);
  rejects(`User Id=u;Password=${QUOTED}`, /names no server/);
  rejects(`Server=h;Password=${QUOTED}`, /names no user/);
  rejects(`Server=h;User Id=u;Password=${QUOTED};Port=99999`, /Port must be a whole number/);
  rejects(`Server=h;User Id=u;Password=${QUOTED};Ssl Mode=sometimes`, /Ssl Mode must be one of/);
  rejects('host=h user=u password=pw123', /Server value holds spaces/, 'pw123');
  rejects(`postgres://u:${SECRET}%zz@h/db`, /invalid percent-encoding/, `${SECRET}%zz`);
  rejects(`postgres://u:${encodeURIComponent(SECRET)}@h:notaport/db`, /port/);
  rejects(`postgres://:${encodeURIComponent(SECRET)}@h/db`, /names no user/);
  rejects(`postgres://u:${encodeURIComponent(SECRET)}@h/db?sslmode=maybe`, /sslmode must be one of/);
});

test('toLibpqEnv carries every field, the password only by environment', () => {
  const conn = parseConnectionString(`Server=h;Port=6000;Database=d;User Id=u@s;Password=${QUOTED};Ssl Mode=VerifyCA`);
  const env = toLibpqEnv(conn);
  assert.deepEqual(
    [env.PGHOST, env.PGPORT, env.PGUSER, env.PGPASSWORD, env.PGDATABASE, env.PGSSLMODE],
    ['h', '6000', 'u@s', SECRET, 'd', 'verify-ca'],
  );
  assert.equal('PGPASSWORD' in toLibpqEnv({ ...conn, password: null }), false);
});

test('toPgConfig maps sslmode to the pg client TLS options', () => {
  const conn = parseConnectionString(`Server=h;Port=6000;Database=d;User Id=u;Password=${QUOTED}`);
  const cfg = toPgConfig(conn);
  assert.deepEqual([cfg.host, cfg.port, cfg.database, cfg.user, cfg.password, cfg.connectionTimeoutMillis], ['h', 6000, 'd', 'u', SECRET, 5000]);
  assert.equal(toPgConfig({ ...conn, sslMode: 'disable' }).ssl, false);
  assert.deepEqual(toPgConfig({ ...conn, sslMode: 'require' }).ssl, { rejectUnauthorized: false });
  assert.deepEqual(toPgConfig({ ...conn, sslMode: 'verify-full' }).ssl, { rejectUnauthorized: true });
  const ca = toPgConfig({ ...conn, sslMode: 'verify-ca' }).ssl as { rejectUnauthorized: boolean; checkServerIdentity: () => unknown };
  assert.equal(ca.rejectUnauthorized, true);
  assert.equal(ca.checkServerIdentity(), undefined);
});

test('keys and SSL modes named like object keys are unknown, not Object.prototype members', () => {
  const c = parseConnectionString('Server=h;User Id=u;Password=p;constructor=x;__proto__=y;toString=z');
  assert.deepEqual(Object.keys(c).sort(), ['database', 'host', 'password', 'port', 'sslMode', 'user']);
  rejects('Server=h;User Id=u;Password=p;Ssl Mode=constructor', /Ssl Mode must be one of/);
  rejects('Server=h;User Id=u;Password=p;Ssl Mode=toString', /Ssl Mode must be one of/);
  rejects(`Server=h;User Id=u;constructor="${SECRET}`, /value of a key /);
});
