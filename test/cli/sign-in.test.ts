// Signing in from the CLI, with the real binary against a real service: the Owner's credentials
// on the server's machine, `ad sp create-for-rbac`, `login --service-principal`, `logout`,
// `account show`, the token cache (renewed when refused or expired), `ad sp` management, and
// tokens never sent over plain HTTP to another machine.
import assert from 'node:assert/strict';
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { runCli, startTestService, type CliResult, type TestService } from '../support/service.ts';
import { scratchDir } from '../support/scratch.ts';

let svc: TestService;
before(async () => {
  svc = await startTestService();
});
after(() => svc.close());

/** The CLI as a user on another account: its own config directory, and no readable owner credentials. */
function asUser(config: string) {
  return (args: string[], endpoint = svc.url): Promise<CliResult> =>
    runCli(args, { env: { DPVAULT_ENDPOINT: endpoint, DPVAULT_CONFIG_DIR: config, DPVAULT_HOME: scratchDir('dpvault-nohome-') } });
}

describe('on the server machine', () => {
  it("signs in as the Owner from owner-credentials.json with nothing else set up", async () => {
    const r = await runCli(['account', 'show'], { endpoint: svc.url });
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(r.json.user, { name: svc.owner.appId, type: 'servicePrincipal' });
    assert.equal(r.json.tenantId, svc.owner.tenant);
  });

  it('says how to sign in when there are no credentials at all', async () => {
    const r = await asUser(scratchDir('dpvault-cfg-'))(['group', 'list']);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /^ERROR: \(AuthenticationFailed\) Please run 'dpvault login --service-principal/);
  });
});

describe('service principals and login', () => {
  let sp: { appId: string; displayName: string; password: string; tenant: string };
  const config = scratchDir('dpvault-cfg-');
  const user = asUser(config);

  it('create-for-rbac prints appId, displayName, password and tenant once, and refuses a role without scopes', async () => {
    const r = await runCli(['ad', 'sp', 'create-for-rbac', '-n', 'ci-bot'], { endpoint: svc.url });
    assert.equal(r.code, 0, r.stderr);
    sp = r.json;
    assert.deepEqual(Object.keys(sp).sort(), ['appId', 'displayName', 'password', 'tenant']);
    assert.equal(sp.displayName, 'ci-bot');
    assert.equal(sp.tenant, svc.owner.tenant);
    assert.match(r.stderr, /credentials that you must protect/);
    const shown = await runCli(['ad', 'sp', 'show', '--id', sp.appId], { endpoint: svc.url });
    assert.equal(shown.json.appId, sp.appId);
    assert.doesNotMatch(shown.stdout, new RegExp(sp.password.replace(/[-_]/g, '.')));
    assert.doesNotMatch(shown.stdout, /secretHash|scrypt/);
    const noScope = await runCli(['ad', 'sp', 'create-for-rbac', '-n', 'x', '--role', 'Reader'], { endpoint: svc.url });
    assert.equal(noScope.code, 2);
    assert.match(noScope.stderr, /--scopes is required with --role/);
    const badRole = await runCli(['ad', 'sp', 'create-for-rbac', '-n', 'x', '--role', 'Janitor', '--scopes', '/'], { endpoint: svc.url });
    assert.equal(badRole.code, 2);
    assert.match(badRole.stderr, /'Janitor' is not a built-in role/);
    const names = (await runCli(['ad', 'sp', 'list', '--query', '[].displayName', '-o', 'tsv'], { endpoint: svc.url })).stdout.split('\n').filter(Boolean).sort();
    assert.deepEqual(names, ['ci-bot', 'dpvault-owner'], 'the refused commands made no principal');
  });

  it("login --service-principal signs in with az's flags and keeps the sign-in 0600 in DPVAULT_CONFIG_DIR", async () => {
    const r = await user(['login', '--service-principal', '-u', sp.appId, '-p', sp.password, '--tenant', sp.tenant]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.json[0].user.name, sp.appId);
    assert.equal(r.json[0].user.type, 'servicePrincipal');
    assert.equal(r.stdout.includes(sp.password), false);
    for (const f of ['logins.json', 'tokens.json']) assert.equal(statSync(join(config, f)).mode & 0o777, 0o600, f);
    const shown = await user(['account', 'show']);
    assert.equal(shown.json.user.name, sp.appId);
    assert.equal((await user(['group', 'list'])).code, 0);
  });

  it('refuses a wrong secret, a tenant of another installation and a tenant that is not a GUID', async () => {
    const other = asUser(scratchDir('dpvault-cfg-'));
    const wrong = await other(['login', '--service-principal', '-u', sp.appId, '-p', 'wrong-secret', '--tenant', sp.tenant]);
    assert.equal(wrong.code, 1);
    assert.match(wrong.stderr, /\(AuthenticationFailed\) Sign-in failed \(invalid_client\)/);
    const tenant = await other(['login', '--service-principal', '-u', sp.appId, '-p', sp.password, '--tenant', '00000000-0000-4000-8000-000000000000']);
    assert.equal(tenant.code, 1);
    assert.match(tenant.stderr, /is not this installation's/);
    const notGuid = await other(['login', '--service-principal', '-u', sp.appId, '-p', sp.password, '--tenant', 'contoso']);
    assert.equal(notGuid.code, 2);
  });

  it('replaces a cached token the service refuses, and one that has expired', async () => {
    const tokensFile = join(config, 'tokens.json');
    const cached = JSON.parse(readFileSync(tokensFile, 'utf8'));
    const key = Object.keys(cached)[0]!;
    writeFileSync(tokensFile, JSON.stringify({ [key]: { accessToken: 'forged.token.value', expiresOn: cached[key].expiresOn } }));
    assert.equal((await user(['group', 'list'])).code, 0, 'a refused token is replaced');
    assert.notEqual(JSON.parse(readFileSync(tokensFile, 'utf8'))[key].accessToken, 'forged.token.value');
    writeFileSync(tokensFile, JSON.stringify({ [key]: { ...cached[key], expiresOn: 1 } }));
    assert.equal((await user(['group', 'list'])).code, 0, 'an expired token is renewed');
    assert.ok(JSON.parse(readFileSync(tokensFile, 'utf8'))[key].expiresOn > Date.now() / 1000);
  });

  it('sends no token or secret over plain HTTP to another machine', async () => {
    const far = 'http://192.0.2.10:7480';
    const r = await user(['login', '--service-principal', '-u', sp.appId, '-p', sp.password, '--tenant', sp.tenant], far);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /\(InsecureEndpoint\) Refusing to send an access token to http:\/\/192\.0\.2\.10:7480 over plain HTTP/);
  });

  it('credential reset prints a new secret and the old one stops signing in; delete ends the sign-in', async () => {
    const reset = await runCli(['ad', 'sp', 'credential', 'reset', '--id', sp.appId], { endpoint: svc.url });
    assert.equal(reset.code, 0, reset.stderr);
    assert.notEqual(reset.json.password, sp.password);
    const fresh = asUser(scratchDir('dpvault-cfg-'));
    assert.equal((await fresh(['login', '--service-principal', '-u', sp.appId, '-p', sp.password, '--tenant', sp.tenant])).code, 1);
    assert.equal((await fresh(['login', '--service-principal', '-u', sp.appId, '-p', reset.json.password, '--tenant', sp.tenant])).code, 0);
    assert.equal((await runCli(['ad', 'sp', 'delete', '--id', sp.appId], { endpoint: svc.url })).code, 0);
    const gone = await fresh(['group', 'list']);
    assert.equal(gone.code, 1);
    assert.match(gone.stderr, /AuthenticationFailed|InvalidAuthenticationToken/);
  });

  it('logout forgets the sign-in', async () => {
    assert.equal((await user(['logout'])).code, 0);
    const r = await user(['group', 'list']);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /Please run 'dpvault login/);
    assert.deepEqual(JSON.parse(readFileSync(join(config, 'logins.json'), 'utf8')), {});
  });
});

describe('server rotate-signing-key', () => {
  it('makes a new signing key on a stopped data directory, keeping the previous one; a running server keeps its directory', async () => {
    const busy = await runCli(['server', 'rotate-signing-key', '--data-dir', svc.dataDir]);
    assert.equal(busy.code, 1);
    assert.match(busy.stderr, /DataDirectoryInUse/);
    const dir = scratchDir('dpvault-rotate-');
    const first = await runCli(['server', 'rotate-signing-key', '--data-dir', dir]);
    assert.equal(first.code, 0, first.stderr);
    const second = await runCli(['server', 'rotate-signing-key', '--data-dir', dir]);
    assert.equal(second.code, 0, second.stderr);
    assert.deepEqual(second.json.verifyingKeyIds, [second.json.currentKeyId, first.json.currentKeyId]);
  });
});
