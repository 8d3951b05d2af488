// `dpvault postgres flexible-server create|show|list|delete`, run as the built binary against a
// real service: the Microsoft.DBforPostgreSQL/flexibleServers resource, with the key vault secret
// of its administrator named, never read, at registration. Needs `npm run build`.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { runCli, startTestService, type TestService } from '../support/service.ts';

let svc: TestService;
const cli = (...args: string[]) => runCli(args, { endpoint: svc.url });
const SECRET = 'https://flexkv.vault.azure.net/secrets/admin';

describe('postgres flexible-server', () => {
  before(async () => {
    svc = await startTestService();
    assert.equal((await cli('group', 'create', '-n', 'flexrg', '-l', 'westus')).code, 0);
  });
  after(() => svc?.close());

  it('registers a server at .../flexibleServers/NAME, shows, lists and deletes it', async () => {
    const made = await cli('postgres', 'flexible-server', 'create', '-g', 'flexrg', '-n', 'pgflex', '--host', '127.0.0.1', '--port', '6543', '--admin-secret-uri', SECRET);
    assert.equal(made.code, 0, made.stderr);
    assert.equal(made.json.id, `/subscriptions/${svc.ctx.subscriptionId}/resourceGroups/flexrg/providers/Microsoft.DBforPostgreSQL/flexibleServers/pgflex`);
    assert.equal(made.json.type, 'Microsoft.DBforPostgreSQL/flexibleServers');
    assert.deepEqual(made.json.properties, {
      fullyQualifiedDomainName: '127.0.0.1', port: 6543, sslMode: 'prefer', version: null, administratorSecretUri: SECRET, state: 'Ready',
    });
    assert.deepEqual((await cli('postgres', 'flexible-server', 'show', '-g', 'flexrg', '-n', 'pgflex')).json, made.json);
    assert.deepEqual((await cli('postgres', 'flexible-server', 'list', '-g', 'flexrg')).json.map((s: { name: string }) => s.name), ['pgflex']);
    assert.deepEqual((await cli('postgres', 'flexible-server', 'list')).json.map((s: { name: string }) => s.name), ['pgflex']);
    // Not a single server: the two kinds of registration are apart.
    assert.deepEqual((await cli('postgres', 'server', 'list', '-g', 'flexrg')).json, []);
    assert.equal((await cli('postgres', 'flexible-server', 'delete', '-g', 'flexrg', '-n', 'pgflex', '--yes')).code, 0);
    const gone = await cli('postgres', 'flexible-server', 'show', '-g', 'flexrg', '-n', 'pgflex');
    assert.equal(gone.code, 1);
    assert.match(gone.stderr, /\(ResourceNotFound\).*flexibleServers\/pgflex/);
  });

  it('refuses a missing or malformed admin secret URI, a bad host or port, and stores nothing', async () => {
    const cases: [string[], RegExp][] = [
      [['--host', 'h', '--admin-secret-uri', 'Server=h;Password=hunter2'], /administratorSecretUri/],
      [['--host', 'a host', '--admin-secret-uri', SECRET], /fullyQualifiedDomainName/],
      [['--host', 'h', '--port', '70000', '--admin-secret-uri', SECRET], /properties\.port/],
    ];
    for (const [args, message] of cases) {
      const res = await cli('postgres', 'flexible-server', 'create', '-g', 'flexrg', '-n', 'bad', ...args);
      assert.equal(res.code, 1, res.stdout);
      assert.match(res.stderr, /^ERROR: \(InvalidRequestParameter\)/);
      assert.match(res.stderr, message);
      assert.ok(!res.stderr.includes('hunter2'));
    }
    const missing = await cli('postgres', 'flexible-server', 'create', '-g', 'flexrg', '-n', 'bad', '--host', 'h');
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /--admin-secret-uri/);
    assert.deepEqual((await cli('postgres', 'flexible-server', 'list', '-g', 'flexrg')).json, []);
  });
});
