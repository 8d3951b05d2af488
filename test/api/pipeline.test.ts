// The request pipeline (src/api/app.ts): middleware order, request ids, the caller resolved once
// per request and handed to services, error mapping, the log line, and that a request answers the
// same in-process as over HTTP. Against the real service (its catalog, its routes, a real port).
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createApp, type App } from '../../src/api/app.ts';
import { ok } from '../../src/api/http.ts';
import { compose, type Exchange, type Middleware } from '../../src/api/pipeline.ts';
import { Router } from '../../src/api/router.ts';
import { DpError } from '../../src/domain/errors.ts';
import type { Caller } from '../../src/services/caller.ts';
import { startTestService, type TestService } from '../support/service.ts';
import { API } from '../support/api-resources.ts';

let svc: TestService;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

before(async () => {
  svc = await startTestService();
});
after(() => svc?.close());

describe('compose', () => {
  it('runs middleware in order, each around the rest', async () => {
    const seen: string[] = [];
    const mw = (name: string): Middleware => async (_x, next) => {
      seen.push(`>${name}`);
      await next();
      seen.push(`<${name}`);
    };
    await compose([mw('a'), mw('b'), mw('c')])({ req: undefined as never, requestId: '' });
    assert.deepEqual(seen, ['>a', '>b', '>c', '<c', '<b', '<a']);
  });

  it('refuses a middleware that calls next twice', async () => {
    const twice: Middleware = async (_x, next) => {
      await next();
      await next();
    };
    await assert.rejects(compose([twice, async () => undefined])({ req: undefined as never, requestId: '' } as Exchange), /next\(\) called twice/);
  });
});

/** An app over a small route table of its own, on the real service's context. */
function testApp(opts: { resolveCaller?: (h: Record<string, unknown>) => Caller | Promise<Caller>; log?: (line: string) => void } = {}): { app: App; seen: unknown[] } {
  const seen: unknown[] = [];
  const router = new Router()
    .add('GET', '/whoami', async (req) => {
      seen.push({ caller: req.caller, ctxCaller: req.ctx.caller, sameCatalog: req.ctx.catalog === svc.ctx.catalog });
      return ok({ caller: req.caller, requestId: req.requestId });
    }, 'none')
    .add('POST', '/echo', async (req) => ok({ body: req.body }), 'resources')
    .add('GET', '/boom', async () => {
      throw new Error('kaboom');
    }, 'none')
    .add('GET', '/bad-header', async () => ok({}, 200, { 'x-bad': 'caf\u00e9\u2603' }), 'none');
  return { app: createApp(router, { context: svc.ctx, ...opts }), seen };
}

describe('the caller', () => {
  it('is the local operator by default, on the request and on its service context', async () => {
    const { app, seen } = testApp();
    const res = await app.request('GET', '/whoami');
    assert.equal(res.status, 200);
    assert.deepEqual(res.body.caller, { kind: 'operator', name: 'local' });
    assert.deepEqual(seen, [{ caller: { kind: 'operator', name: 'local' }, ctxCaller: { kind: 'operator', name: 'local' }, sameCatalog: true }]);
  });

  it('is resolved once per request by the resolver the composition root supplies', async () => {
    const calls: unknown[] = [];
    const { app, seen } = testApp({
      resolveCaller: (headers) => {
        calls.push(headers['x-operator']);
        return { kind: 'operator', name: String(headers['x-operator']) };
      },
    });
    await app.request('GET', '/whoami', { headers: { 'X-Operator': 'ada' } });
    await app.request('GET', '/whoami', { headers: { 'X-Operator': 'bob' } });
    assert.deepEqual(calls, ['ada', 'bob']);
    assert.deepEqual(seen.map((s) => (s as { caller: Caller }).caller.name), ['ada', 'bob']);
  });

  it('answers with the resolver\'s refusal as a CloudError and never reaches the handler', async () => {
    const { app, seen } = testApp({
      resolveCaller: () => {
        throw new DpError('forbidden', 'AuthorizationFailed', 'The caller may not do this.');
      },
    });
    const res = await app.request('GET', '/whoami');
    assert.equal(res.status, 403);
    assert.equal(res.body.error.code, 'AuthorizationFailed');
    assert.deepEqual(seen, []);
  });
});

describe('request ids', () => {
  it('makes a request id, uses it as the correlation id and ends the log line with it', async () => {
    const lines: string[] = [];
    const { app } = testApp({ log: (l) => lines.push(l) });
    const res = await app.request('GET', '/whoami?x=1');
    const id = res.headers.get('x-ms-request-id')!;
    assert.match(id, UUID);
    assert.equal(res.headers.get('x-ms-correlation-request-id'), id);
    assert.equal(res.body.requestId, id);
    assert.equal(lines.length, 1);
    assert.match(lines[0]!, new RegExp(`^GET /whoami 200 \\d+ms ${id}$`));
  });

  it('echoes usable ids the caller sent and replaces others', async () => {
    const { app } = testApp();
    const given = await app.request('GET', '/whoami', { headers: { 'x-ms-request-id': 'req-1', 'x-ms-correlation-request-id': 'corr-1' } });
    assert.equal(given.headers.get('x-ms-request-id'), 'req-1');
    assert.equal(given.headers.get('x-ms-correlation-request-id'), 'corr-1');
    const odd = await app.request('GET', '/whoami', { headers: { 'x-ms-request-id': 'has space', 'x-ms-correlation-request-id': 'x'.repeat(500) } });
    assert.match(odd.headers.get('x-ms-request-id')!, UUID);
    assert.equal(odd.headers.get('x-ms-correlation-request-id'), odd.headers.get('x-ms-request-id'));
  });

  it('puts the ids on refusals too, over HTTP', async () => {
    const res = await fetch(`${svc.url}/nowhere`, { headers: { 'x-ms-correlation-request-id': 'corr-2', authorization: `Bearer ${svc.ownerToken}` } });
    assert.equal(res.status, 404);
    const unauthenticated = await fetch(`${svc.url}/nowhere`, { headers: { 'x-ms-correlation-request-id': 'corr-3' } });
    assert.equal(unauthenticated.status, 401);
    assert.equal(unauthenticated.headers.get('x-ms-correlation-request-id'), 'corr-3');
    assert.match(res.headers.get('x-ms-request-id')!, UUID);
    assert.equal(res.headers.get('x-ms-correlation-request-id'), 'corr-2');
  });
});

describe('error mapping', () => {
  it('answers a handler\'s exception with a 500 CloudError and logs it', async () => {
    const lines: string[] = [];
    const { app } = testApp({ log: (l) => lines.push(l) });
    const res = await app.request('GET', '/boom');
    assert.equal(res.status, 500);
    assert.equal(res.body.error.code, 'InternalError');
    assert.ok(lines.some((l) => /^internal error on GET \/boom: \w*Error: kaboom/.test(l)), lines.join('\n'));
    assert.match(lines.at(-1)!, /^GET \/boom 500 \d+ms /);
  });

  it('answers an answer that cannot be written with a 500 CloudError, as HTTP does', async () => {
    const { app } = testApp({ log: () => undefined });
    const res = await app.request('GET', '/bad-header');
    assert.equal(res.status, 500);
    assert.equal(res.body.error.code, 'InternalError');
    assert.equal(res.headers.get('connection'), 'close');
  });

  it('reads a body by the same rules in-process as over HTTP', async () => {
    const { app } = testApp();
    const echo = (body: unknown, headers?: Record<string, string>) => app.request('POST', `/echo?api-version=${API.resources}`, { body, headers });
    assert.deepEqual((await echo({ a: 1 })).body, { body: { a: 1 } });
    assert.equal((await echo('[1]')).body.error.code, 'InvalidRequestContent');
    assert.equal((await echo('{"a":1}', { 'content-type': 'text/plain' })).body.error.code, 'UnsupportedMediaType');
    assert.equal((await echo('x'.repeat(4 * 1024 * 1024 + 1))).body.error.code, 'RequestEntityTooLarge');
    assert.equal((await app.request('POST', '/echo', { body: {} })).body.error.code, 'MissingApiVersionParameter');
  });
});

describe('in-process and HTTP', () => {
  it('give the same status and body for the same requests', async () => {
    const sub = (await svc.app.request('GET', `/subscriptions?api-version=${API.resources}`)).body.value[0].subscriptionId;
    const rg = `/subscriptions/${sub}/resourceGroups/same`;
    // Created first, so that both PUTs below update (200) rather than one creating (201).
    assert.equal((await svc.app.request('PUT', `${rg}?api-version=${API.resources}`, { body: { location: 'westus' } })).status, 201);
    const cases: [string, string, unknown][] = [
      ['GET', `/subscriptions/${sub}?api-version=${API.resources}`, undefined],
      ['GET', `/subscriptions/${sub}`, undefined],
      ['GET', `/subscriptions/${sub}?api-version=1999-01-01`, undefined],
      ['GET', '/subscriptions/%ZZ', undefined],
      ['GET', '/nowhere', undefined],
      ['POST', `/subscriptions/${sub}?api-version=${API.resources}`, undefined],
      ['PUT', `${rg}?api-version=${API.resources}`, { location: 'westus', tags: { a: 'b' } }],
      ['PUT', `${rg}?api-version=${API.resources}`, '{"location":'],
      ['GET', `${rg}?api-version=${API.resources}`, undefined],
    ];
    for (const [method, target, body] of cases) {
      const text = body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body);
      const auth = { authorization: `Bearer ${svc.ownerToken}` };
      const http = await fetch(`${svc.url}${target}`, { method, body: text, headers: text ? { 'content-type': 'application/json', ...auth } : auth });
      const httpText = await http.text();
      const inProcess = await svc.app.request(method, target, { body, headers: text ? { 'content-type': 'application/json' } : {} });
      assert.equal(inProcess.status, http.status, `${method} ${target}`);
      assert.deepEqual(inProcess.body, httpText ? JSON.parse(httpText) : undefined, `${method} ${target}`);
      assert.equal(inProcess.headers.get('content-type'), http.headers.get('content-type'), `${method} ${target}`);
    }
  });
});
