// TLS end to end (issue 17, item 1): the real `dpvault server --tls-generate` and `--tls-cert/
// --tls-key`, the real CLI binary over HTTPS, real HTTPS requests. The CLI trusts the server by a
// pinned fingerprint or a CA bundle and refuses it otherwise, saying how to trust it; the
// self-signed certificate is reused and its key kept 0600; a non-loopback address without TLS is
// refused; long-running operation and paging URLs carry https, and X-Forwarded-* only count with
// --trust-proxy.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { request } from 'node:https';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { CLI_BIN, captureChild, ownerCredentials, runCli } from '../support/service.ts';
import { scratchDir } from '../support/scratch.ts';
import { startServerProcess, type ServerProcess } from '../support/server-process.ts';

/** An HTTPS request that trusts `ca`; returns status, headers and the parsed body (JSON, or a form when `body` is URLSearchParams). */
function httpsRaw(url: string, method: string, ca: string, body?: unknown, headers: Record<string, string> = {}): Promise<{ status: number; headers: Record<string, unknown>; body: any }> {
  return new Promise((resolve, reject) => {
    const form = body instanceof URLSearchParams;
    const text = body === undefined ? undefined : form ? body.toString() : JSON.stringify(body);
    const type = text ? { 'Content-Type': form ? 'application/x-www-form-urlencoded' : 'application/json' } : {};
    const req = request(url, { method, ca, headers: { ...headers, ...type } }, (res) => {
      let data = '';
      res.on('data', (c: Buffer) => (data += c.toString()));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body: data ? JSON.parse(data) : undefined }));
    });
    req.on('error', reject);
    req.end(text);
  });
}

/**
 * The same, signed in as the Owner of `dataDir`: the token is taken at the same host (and through
 * the same forwarded headers), since a token is valid at the host name it was issued for.
 */
async function https(dataDir: string, url: string, method: string, ca: string, body?: unknown, headers: Record<string, string> = {}) {
  const owner = ownerCredentials(dataDir);
  const form = new URLSearchParams({ grant_type: 'client_credentials', client_id: owner.appId, client_secret: owner.password, scope: 'https://management.dpvault/.default' });
  const token = await httpsRaw(`${new URL(url).origin}/adfs/oauth2/token`, 'POST', ca, form, headers);
  assert.equal(token.status, 200, JSON.stringify(token.body));
  return httpsRaw(url, method, ca, body, { ...headers, authorization: `Bearer ${token.body.access_token}` });
}

describe('dpvault server over TLS', () => {
  const dataDir = scratchDir('dpvault-tls-');
  const cwd = scratchDir('dpvault-tls-cwd-');
  let server: ServerProcess;
  let cert: string;
  before(async () => {
    server = await startServerProcess(dataDir, ['--tls-generate']);
    cert = readFileSync(join(dataDir, 'tls-cert.pem'), 'utf8');
  });
  after(() => server.stop());

  it('prints its https URL and the fingerprint of a self-signed certificate for localhost, 127.0.0.1, ::1 and the host name; the key is 0600', () => {
    assert.match(server.url, /^https:\/\/127\.0\.0\.1:\d+$/);
    const x = new X509Certificate(cert);
    assert.equal(server.fingerprint, `sha256:${x.fingerprint256.replace(/:/g, '').toLowerCase()}`);
    for (const name of ['DNS:localhost', 'IP Address:127.0.0.1', 'IP Address:0:0:0:0:0:0:0:1', `DNS:${hostname()}`]) assert.ok(x.subjectAltName?.includes(name), `${name} in ${x.subjectAltName}`);
    assert.equal(statSync(join(dataDir, 'tls-key.pem')).mode & 0o777, 0o600);
  });

  it('the CLI talks HTTPS with the pinned fingerprint, or with the certificate as its CA bundle (--ca-bundle or REQUESTS_CA_BUNDLE)', async () => {
    const pinned = await runCli(['account', 'show', '--query', 'id', '-o', 'tsv'], { endpoint: server.url, cwd, env: { DPVAULT_HOME: dataDir, DPVAULT_TLS_FINGERPRINT: server.fingerprint.toUpperCase() } });
    assert.equal(pinned.code, 0, pinned.stderr);
    assert.match(pinned.stdout, /^[0-9a-f-]{36}\n$/);
    const bundle = await runCli(['group', 'create', '-n', 'rg', '-l', 'westus', '--ca-bundle', join(dataDir, 'tls-cert.pem')], { endpoint: server.url, cwd, env: { DPVAULT_HOME: dataDir } });
    assert.equal(bundle.code, 0, bundle.stderr);
    const byName = server.url.replace('127.0.0.1', 'localhost');
    const env = await runCli(['group', 'list', '--query', '[].name', '-o', 'tsv'], { endpoint: byName, cwd, env: { DPVAULT_HOME: dataDir, REQUESTS_CA_BUNDLE: join(dataDir, 'tls-cert.pem') } });
    assert.equal(env.code, 0, env.stderr);
    assert.equal(env.stdout, 'rg\n');
  });

  it('a certificate the CLI cannot verify is refused, saying how to trust it; a wrong fingerprint is refused', async () => {
    const plain = await runCli(['group', 'create', '-n', 'untrusted', '-l', 'westus'], { endpoint: server.url, cwd, env: { DPVAULT_HOME: dataDir, REQUESTS_CA_BUNDLE: '' } });
    assert.equal(plain.code, 1);
    assert.match(plain.stderr, /\(CertificateVerificationFailed\) The certificate of https:\/\/127\.0\.0\.1:\d+ could not be verified .*--ca-bundle FILE or REQUESTS_CA_BUNDLE.*DPVAULT_TLS_FINGERPRINT=sha256:/);
    const wrong = await runCli(['group', 'create', '-n', 'untrusted', '-l', 'westus'], { endpoint: server.url, cwd, env: { DPVAULT_HOME: dataDir, DPVAULT_TLS_FINGERPRINT: `sha256:${'ab'.repeat(32)}` } });
    assert.equal(wrong.code, 1);
    assert.match(wrong.stderr, new RegExp(`has the SHA-256 fingerprint ${server.fingerprint}, not the pinned sha256:(ab){32}`));
    const malformed = await runCli(['group', 'list'], { endpoint: server.url, cwd, env: { DPVAULT_HOME: dataDir, DPVAULT_TLS_FINGERPRINT: 'sha256:12' } });
    assert.equal(malformed.code, 2);
    assert.match(malformed.stderr, /DPVAULT_TLS_FINGERPRINT: 'sha256:12' is not a SHA-256 fingerprint/);
    // Nothing reached the service: the refused requests created no group.
    const groups = await runCli(['group', 'list', '--query', '[].name', '-o', 'tsv'], { endpoint: server.url, cwd, env: { DPVAULT_HOME: dataDir, DPVAULT_TLS_FINGERPRINT: server.fingerprint } });
    assert.equal(groups.stdout, 'rg\n');
  });

  it('long-running operation and paging URLs carry https and the host asked for; X-Forwarded-* are ignored without --trust-proxy', async () => {
    const sub = (await runCli(['account', 'show', '--query', 'id', '-o', 'tsv'], { endpoint: server.url, cwd, env: { DPVAULT_HOME: dataDir, DPVAULT_TLS_FINGERPRINT: server.fingerprint } })).stdout.trim();
    const vault = `/subscriptions/${sub}/resourceGroups/rg/providers/Microsoft.DataProtection/backupVaults`;
    const body = { location: 'westus', identity: { type: 'SystemAssigned' }, properties: { storageSettings: [{ datastoreType: 'VaultStore', type: 'LocallyRedundant' }] } };
    const forwarded = { 'X-Forwarded-Proto': 'http', 'X-Forwarded-Host': 'proxy.example:8443' };
    const put = await https(dataDir, `${server.url}${vault}/v1?api-version=2026-03-01`, 'PUT', cert, body, forwarded);
    assert.ok(put.status === 201 || put.status === 200, JSON.stringify(put.body));
    for (const h of ['azure-asyncoperation', 'location']) assert.match(String(put.headers[h]), new RegExp(`^${server.url}/subscriptions/`), h);
    await https(dataDir, `${server.url}${vault}/v2?api-version=2026-03-01`, 'PUT', cert, body);
    const byName = server.url.replace('127.0.0.1', 'localhost');
    const page = await https(dataDir, `${byName}${vault}?api-version=2026-03-01&$top=1`, 'GET', cert, undefined, forwarded);
    assert.equal(page.status, 200);
    assert.match(page.body.nextLink, new RegExp(`^${byName}${vault}\\?`));
  });

  it('the self-signed certificate is reused at the next start, honours X-Forwarded-* with --trust-proxy, and serves as --tls-cert/--tls-key', async () => {
    await server.stop();
    server = await startServerProcess(dataDir, ['--tls-generate', '--trust-proxy']);
    assert.equal(readFileSync(join(dataDir, 'tls-cert.pem'), 'utf8'), cert);
    const sub = (await runCli(['account', 'show', '--query', 'id', '-o', 'tsv'], { endpoint: server.url, cwd, env: { DPVAULT_HOME: dataDir, DPVAULT_TLS_FINGERPRINT: server.fingerprint } })).stdout.trim();
    const vaults = `/subscriptions/${sub}/resourceGroups/rg/providers/Microsoft.DataProtection/backupVaults`;
    const page = await https(dataDir, `${server.url}${vaults}?api-version=2026-03-01&$top=1`, 'GET', cert, undefined, { 'X-Forwarded-Proto': 'https', 'X-Forwarded-Host': 'proxy.example:8443, inner.example' });
    assert.match(page.body.nextLink, new RegExp(`^https://proxy\\.example:8443${vaults}\\?`));
    const plainProxy = await https(dataDir, `${server.url}${vaults}?api-version=2026-03-01&$top=1`, 'GET', cert, undefined, { 'X-Forwarded-Proto': 'http', 'X-Forwarded-Host': 'bad host/x' });
    assert.match(plainProxy.body.nextLink, new RegExp(`^http://127\\.0\\.0\\.1:\\d+${vaults}\\?`));

    const otherDir = scratchDir('dpvault-tls-files-');
    const other = await startServerProcess(otherDir, ['--tls-cert', join(dataDir, 'tls-cert.pem'), '--tls-key', join(dataDir, 'tls-key.pem')]);
    try {
      assert.equal(other.fingerprint, server.fingerprint);
      const r = await runCli(['group', 'list'], { endpoint: other.url, cwd, env: { DPVAULT_HOME: otherDir, DPVAULT_TLS_FINGERPRINT: other.fingerprint } });
      assert.equal(r.code, 0, r.stderr);
    } finally {
      await other.stop();
    }
  });
});

describe('dpvault server without TLS', () => {
  const run = (args: string[]) =>
    captureChild(spawn(process.execPath, [CLI_BIN, 'server', '--port', '0', '--data-dir', scratchDir('dpvault-notls-'), ...args], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, DPVAULT_SERVER_REEXEC: '1' },
    }));

  it('refuses a non-loopback address, naming --tls-cert and --insecure-http', async () => {
    for (const host of ['0.0.0.0', '::']) {
      const r = await run(['--host', host]);
      assert.equal(r.code, 2, r.stderr);
      assert.match(r.stderr, new RegExp(`\\(InsecureListenRefused\\) Refusing to listen on ${host.replace(/[.]/g, '\\.')} without TLS.*--tls-cert FILE --tls-key FILE.*--insecure-http`));
      assert.doesNotMatch(r.stderr, /listening on/);
    }
  });

  it('refuses TLS flags that do not go together, and certificate files it cannot read', async () => {
    const dir = scratchDir('dpvault-tls-bad-');
    const only = await run(['--tls-cert', join(dir, 'c.pem')]);
    assert.equal(only.code, 2);
    assert.match(only.stderr, /--tls-cert and --tls-key go together/);
    const missing = await run(['--tls-cert', join(dir, 'c.pem'), '--tls-key', join(dir, 'k.pem')]);
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /The TLS certificate '.*c\.pem' cannot be used: ENOENT/);
    const both = await run(['--tls-generate', '--insecure-http']);
    assert.equal(both.code, 2);
    assert.match(both.stderr, /--insecure-http serves plain HTTP/);
  });
});
