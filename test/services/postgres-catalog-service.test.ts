// Servers on one PostgreSQL catalog (--database): two starting together on an empty catalog make
// one Owner (its credentials in the data directory of the one that made it) and one token signing
// key, so either checks the other's tokens; a server with another master key is refused and says
// why; a bad or unreachable URL is refused at start naming the setting, never its password, and the
// listening line shows the URL redacted.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { startService, type RunningService } from '../../src/app.ts';
import { DpError } from '../../src/domain/errors.ts';
import { SERVICE_PRINCIPAL_TYPE } from '../../src/identity/principals.ts';
import { OWNER_CREDENTIALS_FILE, OWNER_DISPLAY_NAME } from '../../src/identity/owner-bootstrap.ts';
import { catalogProcesses } from '../support/catalog-processes.ts';
import { freePort } from '../support/pg-bin.ts';
import { getAs, ownerCredentials, runCli, runServer, signIn } from '../support/service.ts';
import { startServerProcess } from '../support/server-process.ts';

const processes = catalogProcesses('catalog');
const { dataDirWithKey } = processes;
const freshDatabase = async (): Promise<string> => (await processes.freshDatabase()).url;

// Each keeps its backup data in its own data directory: these tests make none, so they say it is shared.
const start = (dataDir: string, database: string) => startService({ dataDir, database, port: 0, sharedFilesystem: true });

describe('servers on one PostgreSQL catalog', () => {
  it('starting together on an empty catalog make one Owner, and each checks the tokens the other signs', async () => {
    const url = await freshDatabase();
    const key = randomBytes(32).toString('hex');
    const [da, db] = [dataDirWithKey(key), dataDirWithKey(key)];
    const servers: RunningService[] = await Promise.all([start(da, url), start(db, url)]);
    try {
      const [a, b] = servers as [RunningService, RunningService];
      const made = [da, db].filter((d) => existsSync(join(d, OWNER_CREDENTIALS_FILE)));
      assert.equal(made.length, 1, 'one server made the Owner and wrote its credentials');
      const owners = (await a.ctx.catalog.listResources<{ displayName: string }>({ type: SERVICE_PRINCIPAL_TYPE })).items.filter((p) => p.body.displayName === OWNER_DISPLAY_NAME);
      assert.equal(owners.length, 1);
      assert.equal(a.ctx.tenantId, b.ctx.tenantId);
      assert.equal(a.ctx.subscriptionId, b.ctx.subscriptionId);
      const creds = ownerCredentials(made[0]!);
      // Servers that share a catalog sit behind one name (a load balancer): the token's issuer
      // and audience are that name, whichever server signed it.
      for (const [signer, checker] of [[a, b], [b, a]] as const) {
        const token = await signIn(signer.url, creds);
        const res = await getAs(`${checker.url}/subscriptions?api-version=2022-12-01`, new URL(signer.url).host, token);
        assert.equal(res.status, 200, res.body);
      }
      const forged = await signIn(a.url, creds).then((t) => `${t.slice(0, -8)}AAAAAAAA`);
      assert.equal((await getAs(`${b.url}/subscriptions?api-version=2022-12-01`, new URL(a.url).host, forged)).status, 401);
    } finally {
      await Promise.all(servers.map((s) => s.close()));
    }
  });

  it('refuse a server whose master key is not the catalog\'s, and say why', async () => {
    const url = await freshDatabase();
    const first = await start(dataDirWithKey(randomBytes(32).toString('hex')), url);
    try {
      const other = dataDirWithKey(randomBytes(32).toString('hex'));
      await assert.rejects(start(other, url), (e: DpError) => {
        assert.equal(e.code, 'MasterKeyMismatch');
        assert.match(e.message, /master key is not the one the catalog was created with/);
        return true;
      });
      assert.ok(!existsSync(join(other, OWNER_CREDENTIALS_FILE)));
    } finally {
      await first.close();
    }
  });

  it('rotate the catalog\'s signing key with rotate-signing-key --database: the next start signs with the new key, and the old key\'s tokens stay good', async () => {
    const url = await freshDatabase();
    const d = dataDirWithKey(randomBytes(32).toString('hex'));
    const kidOf = (token: string) => (JSON.parse(Buffer.from(token.split('.')[0]!, 'base64url').toString('utf8')) as { kid: string }).kid;
    let svc = await start(d, url);
    const host = new URL(svc.url).host;
    const before = await signIn(svc.url, ownerCredentials(d));
    await svc.close();
    const r = await runCli(['server', 'rotate-signing-key', '--data-dir', d, '--database', url]);
    assert.equal(r.code, 0, r.stderr);
    assert.notEqual(r.json.currentKeyId, kidOf(before));
    assert.deepEqual(r.json.verifyingKeyIds, [r.json.currentKeyId, kidOf(before)]);
    svc = await start(d, url);
    try {
      assert.equal(kidOf(await signIn(svc.url, ownerCredentials(d))), r.json.currentKeyId);
      assert.equal((await getAs(`${svc.url}/subscriptions?api-version=2022-12-01`, host, before)).status, 200);
    } finally {
      await svc.close();
    }
  });

  it('refuse an unreachable or non-PostgreSQL URL at start, naming the setting and never the password', async () => {
    const secret = `pw-${randomUUID()}`;
    const cases = [
      ['--database', `postgres://postgres:${secret}@127.0.0.1:${await freePort()}/catalog`],
      ['--database', `postgres://postgres:${secret}@127.0.0.1:${processes.cluster().port}/postgres`],
      ['--database', `http://postgres:${secret}@127.0.0.1/catalog`],
    ];
    for (const args of cases) {
      const d = dataDirWithKey(randomBytes(32).toString('hex'));
      const r = await runServer(['--data-dir', d, '--port', '0', ...args], { env: { DPVAULT_SERVER_REEXEC: '1' } });
      assert.ok(!r.killed && r.code !== 0, r.stderr);
      assert.match(r.stderr, /--database \(or DPVAULT_DATABASE\)/);
      assert.ok(!r.stderr.includes(secret), r.stderr);
    }
  });

  it('takes DPVAULT_DATABASE and shows the URL without its password', async () => {
    const url = await freshDatabase();
    const d = dataDirWithKey(randomBytes(32).toString('hex'));
    const server = await startServerProcess(d, ['--shared-filesystem'], { DPVAULT_DATABASE: url });
    try {
      const said = server.output();
      assert.match(said, /catalog in postgresql:\/\/postgres:\*\*\*@127\.0\.0\.1:/);
      assert.ok(!said.includes(processes.cluster().superuserPassword), said);
      assert.ok(!existsSync(join(d, 'catalog.sqlite')), 'the embedded catalog is not used');
    } finally {
      await server.stop();
    }
  });
});
