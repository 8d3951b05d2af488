// Hostile tokens against every route of the route table over real HTTP: no, malformed, expired,
// not-yet-valid and forged tokens (another key, `alg: none`, HS256 keyed with the public key,
// wrong audience, tenant or issuer) across GET, PUT, POST and DELETE. Every answer is a 401 with a
// CloudError and a challenge, none echoes the token, and nothing changes. A few hundred requests by
// default; thousands with DPVAULT_FULL_SWEEPS=1.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { Agent, request } from 'node:http';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { after, before, it } from 'node:test';
import { buildRouter } from '../../src/api/routes/index.ts';
import { createResources, subscriptionOf, type ResourceNames } from '../support/api-resources.ts';
import { forgedTokens, type ForgedToken } from '../support/forged-tokens.ts';
import { Rng } from '../support/hostile-requests.ts';
import { startTestService, type TestService } from '../support/service.ts';
import { stateFingerprint } from '../support/state-fingerprint.ts';

const FULL = process.env.DPVAULT_FULL_SWEEPS === '1';
const REQUESTS = FULL ? 5_000 : 400;
const NAMES: ResourceNames = { rg: 'tok-rg', vault: 'tok-vault', policy: 'tok-policy', kv: 'tokkv', secret: 'tok-secret', server: 'tok-pg' };
const SEED = Math.floor(Math.random() * 2 ** 31);

let svc: TestService;
let catalog: DatabaseSync;
const agent = new Agent({ keepAlive: true, maxSockets: 2 });

before(async () => {
  svc = await startTestService();
  await createResources(svc, await subscriptionOf(svc), NAMES);
  catalog = new DatabaseSync(join(svc.dataDir, 'catalog.sqlite'), { readOnly: true });
});
after(async () => {
  agent.destroy();
  catalog?.close();
  await svc?.close();
});

it(`refuses ${REQUESTS} requests with bad tokens on every route: 401s only, nothing echoed, nothing changed`, async (t) => {
  t.diagnostic(`seed ${SEED}`);
  const ownerObjectId = JSON.parse(Buffer.from(svc.ownerToken.split('.')[1]!, 'base64url').toString()).oid as string;
  const forged = await forgedTokens(svc.url, svc.dataDir, { objectId: ownerObjectId, appId: svc.owner.appId, tenant: svc.owner.tenant });
  const routes = buildRouter().list();
  const rng = new Rng(SEED);
  const params: Record<string, string> = {
    sub: svc.ctx.subscriptionId, ...NAMES, instance: 'tok-instance', bi: 'tok-instance', job: randomUUID(), rp: 'rp', op: 'op', loc: 'westus',
    kind: 'add', version: '0'.repeat(32), db: 'postgres', id: svc.owner.appId,
  };
  const before = stateFingerprint(catalog, svc.dataDir);
  const failures: string[] = [];
  for (let i = 0; i < REQUESTS && failures.length < 10; i++) {
    const route = routes[i % routes.length]!;
    const method = rng.chance(0.7) ? route.method : rng.pick(['GET', 'PUT', 'POST', 'DELETE']);
    const path = route.pattern.replace(/\{(\w+)\}/g, (_, name: string) => encodeURIComponent(params[name] ?? 'x'));
    const target = `${path}?api-version=2026-03-01`;
    const token = forged[i % forged.length]!;
    const body = method === 'PUT' || method === 'POST' ? JSON.stringify({ location: 'westus', properties: {}, displayName: 'intruder' }) : undefined;
    const res = await send(method, target, token, body);
    const problem = check(res, token);
    if (problem) failures.push(`#${i} ${token.kind}: ${method} ${target} -> ${res.status} ${problem} ${res.text.slice(0, 200)}`);
  }
  assert.deepEqual(failures, [], `seed ${SEED}`);
  assert.equal(stateFingerprint(catalog, svc.dataDir), before, 'the catalog and the data directory are unchanged');
});

interface Answer {
  status: number;
  text: string;
  challenge: string;
}

function check(res: Answer, token: ForgedToken): string | undefined {
  if (res.status !== 401) return 'not a 401';
  let code: unknown;
  try {
    code = (JSON.parse(res.text) as { error?: { code?: unknown } }).error?.code;
  } catch {
    return 'not a CloudError';
  }
  if (code !== token.code) return `code ${String(code)}, expected ${token.code}`;
  if (!res.challenge.startsWith(`Bearer authorization_uri="${svc.url}/adfs"`)) return 'no challenge';
  const raw = token.header?.replace(/^Bearer /, '');
  if (raw && raw.length > 8 && (res.text.includes(raw) || res.challenge.includes(raw))) return 'the token is echoed';
  return undefined;
}

function send(method: string, target: string, token: ForgedToken, body?: string): Promise<Answer> {
  const url = new URL(svc.url);
  const headers: Record<string, string> = body === undefined ? {} : { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)) };
  if (token.header !== undefined) headers.authorization = token.header;
  return new Promise((resolve) => {
    const r = request({ host: url.hostname, port: url.port, method, path: target, headers, agent }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8'), challenge: String(res.headers['www-authenticate'] ?? '') }));
    });
    r.on('error', (e) => resolve({ status: 0, text: e.message, challenge: '' }));
    r.end(body);
  });
}
