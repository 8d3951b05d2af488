// The pure parts of item 1: answer URLs follow the connection's scheme and Host, and forwarded
// headers only when trusted and well-formed; which addresses count as loopback; fingerprints as
// users write them.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { requestBaseUrl } from '../../src/api/base-url.ts';
import { parseFingerprint } from '../../src/domain/tls-fingerprint.ts';
import { isLoopback } from '../../src/services/listen-policy.ts';

const req = (scheme: 'http' | 'https' | undefined, headers: Record<string, string | string[]>) => ({ method: 'GET', target: '/', scheme, headers, body: async () => undefined, form: async () => new URLSearchParams() });

test('the base URL is the connection\'s scheme and Host; X-Forwarded-* only with trustProxy, first entry, well-formed', () => {
  const fwd = { host: 'h:1', 'x-forwarded-proto': 'HTTPS, http', 'x-forwarded-host': 'proxy.example:8443, inner' };
  assert.equal(requestBaseUrl(req('https', { host: 'h:1' }), false), 'https://h:1');
  assert.equal(requestBaseUrl(req(undefined, {}), false), 'http://localhost');
  assert.equal(requestBaseUrl(req('http', fwd), false), 'http://h:1');
  assert.equal(requestBaseUrl(req('http', fwd), true), 'https://proxy.example:8443');
  assert.equal(requestBaseUrl(req('http', { host: 'h:1', 'x-forwarded-host': '[::1]:9' }), true), 'http://[::1]:9');
  for (const bad of ['evil.example/x', 'a b', 'user@host', '']) {
    assert.equal(requestBaseUrl(req('https', { host: 'h:1', 'x-forwarded-proto': 'javascript', 'x-forwarded-host': bad }), true), 'https://h:1', bad);
  }
});

test('loopback addresses, and what is not one', () => {
  for (const h of ['127.0.0.1', '127.1.2.3', 'localhost', '::1', '[::1]', '::ffff:127.0.0.1']) assert.equal(isLoopback(h), true, h);
  for (const h of ['0.0.0.0', '::', '10.0.0.1', 'example.com', '128.0.0.1', '::ffff:10.0.0.1']) assert.equal(isLoopback(h), false, h);
});

test('a fingerprint is taken with or without colons, in either case; anything else is refused', () => {
  const hex = 'ab'.repeat(32);
  assert.equal(parseFingerprint(`sha256:${hex}`), `sha256:${hex}`);
  assert.equal(parseFingerprint(`SHA256:${'AB:'.repeat(31)}AB`), `sha256:${hex}`);
  for (const bad of ['', hex, `sha1:${hex}`, `sha256:${hex}00`, `sha256:${'zz'.repeat(32)}`]) assert.equal(parseFingerprint(bad), null, bad);
});
