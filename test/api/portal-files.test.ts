// GET /portal and its files over real HTTP: public (no token), served from the build's bundle with
// a Content-Security-Policy that keeps the page to its own origin; any other path below /portal is
// a 404 CloudError, whatever it tries (dot segments, encoded slashes), and nothing but GET is taken.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { portalHandlers } from '../../src/api/routes/portal.ts';
import { isDpError } from '../../src/domain/errors.ts';
import { startTestService, type TestService } from '../support/service.ts';
import { scratchDir } from '../support/scratch.ts';

let svc: TestService;
before(async () => {
  svc = await startTestService();
});
after(() => svc?.close());

const get = (path: string, init: RequestInit = {}) => fetch(`${svc.url}${path}`, init);

test('the page and its script and style sheet answer without a token, with their types and a strict policy', async () => {
  const page = await get('/portal');
  assert.equal(page.status, 200);
  assert.equal(page.headers.get('content-type'), 'text/html; charset=utf-8');
  const csp = page.headers.get('content-security-policy') ?? '';
  for (const rule of ["default-src 'none'", "script-src 'self'", "connect-src 'self'", "frame-ancestors 'none'"]) assert.ok(csp.includes(rule), rule);
  assert.equal(page.headers.get('x-content-type-options'), 'nosniff');
  const html = await page.text();
  assert.match(html, /<script type="module" src="\/portal\/portal\.js"><\/script>/);
  assert.doesNotMatch(html, /https?:\/\//, 'nothing loaded from elsewhere');
  assert.equal((await get('/portal/')).status, 200);
  const js = await get('/portal/portal.js');
  assert.equal(js.headers.get('content-type'), 'text/javascript; charset=utf-8');
  assert.ok((await js.text()).length > 1000);
  assert.equal((await get('/portal/portal.css')).headers.get('content-type'), 'text/css; charset=utf-8');
});

test('any other path below /portal is a 404 CloudError, and nothing outside the bundle is read', async () => {
  for (const path of ['/portal/nope.js', '/portal/%2e%2e/owner-credentials.json', '/portal/x%2F..%2F..%2Fcatalog.sqlite', '/portal/..%2Fowner-credentials.json', '/portal/dir/index.html']) {
    const res = await get(path);
    assert.ok(res.status === 404 || res.status === 401, `${path}: ${res.status}`);
    const body = (await res.json()) as { error: { code: string; message: string } };
    if (res.status === 404) assert.equal(body.error.code, 'PortalFileNotFound', path);
    assert.doesNotMatch(JSON.stringify(body), /password|secret/i);
  }
  assert.equal((await get('/portalx')).status, 401, 'only /portal and below are public');
  const post = await get('/portal', { method: 'POST' });
  assert.equal(post.status, 400);
  assert.equal(((await post.json()) as { error: { code: string } }).error.code, 'MethodNotAllowed');
});

test('a server whose portal was never built says so', async () => {
  const handlers = portalHandlers(`${scratchDir('dpvault-no-portal-')}/portal`);
  await assert.rejects(
    handlers.portal({ query: new URLSearchParams(), path: '/portal', baseUrl: '', address: '', requestId: '', form: async () => new URLSearchParams() }),
    (e: unknown) => isDpError(e) && e.code === 'PortalNotBuilt' && e.status === 404 && /npm run build/.test(e.message),
  );
});
