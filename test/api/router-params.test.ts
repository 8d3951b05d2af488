// Route params are typed from the route pattern: a handler can read the pattern's parameters and
// nothing else (the `@ts-expect-error` lines fail `npm run typecheck` when that stops being so),
// and at run time it receives exactly those, decoded, with literals matched case-insensitively.
import { it } from 'node:test';
import assert from 'node:assert/strict';
import { openContext } from '../../src/app.ts';
import { createApp } from '../../src/api/app.ts';
import { ok } from '../../src/api/http.ts';
import { Router, type ParamsOf } from '../../src/api/router.ts';
import { scratchDir } from '../support/scratch.ts';

it('types a pattern\'s parameters, and only them', () => {
  const names: ParamsOf<'/subscriptions/{sub}/resourceGroups/{rg}'>[] = ['sub', 'rg'];
  // @ts-expect-error 'nope' is not a parameter of the pattern
  const wrong: ParamsOf<'/subscriptions/{sub}/resourceGroups/{rg}'> = 'nope';
  const none: ParamsOf<'/subscriptions'>[] = [];
  assert.deepEqual([...names, wrong, ...none], ['sub', 'rg', 'nope']);
});

it('hands a handler exactly its pattern\'s parameters, decoded', async () => {
  const ctx = await openContext({ dataDir: scratchDir('dpvault-params-') });
  try {
    const router = new Router().add('GET', '/subscriptions/{sub}/resourceGroups/{rg}', async (req) => {
      // @ts-expect-error the pattern has no parameter 'nope'
      const nope = req.params.nope;
      return ok({ sub: req.params.sub, rg: req.params.rg, nope: nope ?? null, keys: Object.keys(req.params) });
    }, 'none');
    const app = createApp(router, { context: ctx });
    const res = await app.request('GET', '/SUBSCRIPTIONS/s-1/resourcegroups/my%2Fgroup');
    assert.equal(res.status, 200);
    assert.deepEqual(res.body, { sub: 's-1', rg: 'my/group', nope: null, keys: ['sub', 'rg'] });
  } finally {
    await ctx.catalog.close();
  }
});
