// A route-walking fuzzer against the real service: hostile requests generated from the route table
// itself (so new routes are covered without touching this file). Every answer must be below 500,
// every refusal a CloudError without the secret in it, and a refusal must leave the catalog and the
// data directory exactly as they were. A couple of thousand requests by default; tens of thousands
// with DPVAULT_FULL_SWEEPS=1. The seed is printed; DPVAULT_FUZZ_SEED=<n> replays a run.
import { after, before, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomInt, randomUUID } from 'node:crypto';
import { Agent, request } from 'node:http';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { buildRouter } from '../../src/api/routes/index.ts';
import { startTestService, type TestService } from '../support/service.ts';
import { createResources, resourceSpecs, subscriptionOf, type ResourceNames } from '../support/api-resources.ts';
import { stateFingerprint } from '../support/state-fingerprint.ts';
import { hostileRequest, Rng, type BodyTemplates, type HostileRequest, type ParamValues } from '../support/hostile-requests.ts';

const FULL = process.env.DPVAULT_FULL_SWEEPS === '1';
const REQUESTS = FULL ? 40_000 : 2_000;
const SEED = process.env.DPVAULT_FUZZ_SEED ? Number(process.env.DPVAULT_FUZZ_SEED) : randomInt(2 ** 31);
const SECRET_TEXT = 'fuzz-s3cret';
const NAMES: ResourceNames = { rg: 'fuzz-rg', vault: 'fuzz-vault', policy: 'fuzz-policy', kv: 'fuzzkv', secret: 'fuzz-secret', server: 'fuzz-pg' };

let svc: TestService;
let sub: string;
let catalog: DatabaseSync;
const agent = new Agent({ keepAlive: true, maxSockets: 1 });

before(async () => {
  svc = await startTestService();
  sub = await subscriptionOf(svc);
  await createResources(svc, sub, NAMES);
  catalog = new DatabaseSync(join(svc.dataDir, 'catalog.sqlite'), { readOnly: true });
});
after(async () => {
  agent.destroy();
  catalog?.close();
  await svc?.close();
});

it(`answers ${REQUESTS} hostile requests over every route with CloudErrors and no state change on refusal`, async (t) => {
  t.diagnostic(`seed ${SEED} (replay with DPVAULT_FUZZ_SEED=${SEED})`);
  const routes = buildRouter().list();
  assert.ok(routes.length > 30, `the route table has ${routes.length} routes`);
  const rng = new Rng(SEED);
  const params = paramValues();
  const templates = bodyTemplates();
  const failures: string[] = [];
  let before = fingerprint();
  const statuses = new Map<number, number>();
  for (let i = 0; i < REQUESTS && failures.length < 10; i++) {
    const route = routes[i % routes.length]!;
    const req = hostileRequest(rng, route, params, templates);
    const res = await send(req);
    statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
    const problem = checkAnswer(req, res);
    if (problem) failures.push(report(i, req, res, problem));
    if (res.status >= 400) {
      const now = fingerprint();
      if (now !== before) failures.push(report(i, req, res, 'a refused request changed the catalog or the data directory'));
      before = now;
    } else {
      // A success may start work (an operation, a job): let it end before the next comparison, and
      // put back what a DELETE removed so later requests meet real resources again.
      await svc.ctx.background.idle();
      await svc.worker.drain();
      if (req.method === 'DELETE') await createResources(svc, sub, NAMES);
      before = fingerprint();
    }
  }
  t.diagnostic(`statuses: ${[...statuses].sort(([a], [b]) => a - b).map(([s, n]) => `${s}×${n}`).join(' ')}`);
  assert.deepEqual(failures, [], `seed ${SEED}:\n${failures.join('\n')}`);
});

function paramValues(): ParamValues {
  return {
    sub, ...NAMES, instance: 'fuzz-instance', bi: 'fuzz-instance', job: randomUUID(), rp: 'fuzz-rp', op: 'fuzz-op', loc: 'westus', kind: 'add',
    version: '0'.repeat(32), db: 'postgres',
  };
}

/** Bodies shaped like each route's, keyed by the last segment of its pattern. */
function bodyTemplates(): BodyTemplates {
  const specs = resourceSpecs(sub, NAMES);
  const pathOf = (kind: keyof ResourceNames) => specs.find((s) => s.kind === kind)!.path;
  const datasource = {
    datasourceType: 'Microsoft.DBforPostgreSQL/servers/databases', objectType: 'Datasource', resourceID: `${pathOf('server')}/databases/postgres`,
    resourceLocation: 'westus', resourceName: 'postgres', resourceType: 'Microsoft.DBforPostgreSQL/servers/databases', resourceUri: '',
  };
  const instance = {
    friendlyName: 'fuzz', dataSourceInfo: datasource, policyInfo: { policyId: pathOf('policy') }, objectType: 'BackupInstance',
    datasourceAuthCredentials: {
      objectType: 'SecretStoreBasedAuthCredentials',
      secretStoreResource: { secretStoreType: 'AzureKeyVault', uri: `https://${NAMES.kv}.vault.azure.net/secrets/${NAMES.secret}` },
    },
  };
  const restore = {
    objectType: 'AzureBackupRecoveryPointBasedRestoreRequest', sourceDataStoreType: 'VaultStore', recoveryPointId: 'fuzz-rp',
    restoreTargetInfo: { objectType: 'RestoreTargetInfo', recoveryOption: 'FailIfExists', restoreLocation: 'westus', datasourceInfo: datasource },
  };
  const templates: BodyTemplates = new Map(specs.map((s) => [`{${s.kind}}`, s.body]));
  templates.set('{instance}', { properties: instance });
  templates.set('validateforbackup', { backupInstance: instance });
  templates.set('backup', { backupRuleOptions: { ruleName: 'BackupWeekly', triggerOption: { retentionTagOverride: 'Default' } } });
  templates.set('restore', restore);
  templates.set('validaterestore', { restoreRequestObject: restore });
  templates.set('{kind}', { properties: { accessPolicies: [{ tenantId: svc.ctx.tenantId, objectId: randomUUID(), permissions: { secrets: ['get', 'list'] } }] } });
  templates.set('verify', { samplePercent: 50 });
  return templates;
}

interface Answer {
  status: number;
  text: string;
  error?: string;
}

/** Sends the request exactly as generated (node:http does not re-encode the target). */
function send(req: HostileRequest): Promise<Answer> {
  const url = new URL(svc.url);
  return new Promise((resolve) => {
    let answered: Answer | undefined;
    // Framed explicitly: node:http sends a GET, HEAD or DELETE body unframed unless told its length.
    // Signed in as the Owner, so every route's own checks are reached (test/api/hostile-tokens.test.ts sends bad tokens).
    const signedIn = { authorization: `Bearer ${svc.ownerToken}`, ...req.headers };
    const headers = req.body === undefined ? signedIn : { ...signedIn, 'content-length': String(Buffer.byteLength(req.body)) };
    const r = request({ host: url.hostname, port: url.port, method: req.method, path: req.target, headers, agent }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve((answered = { status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') })));
    });
    // The service may answer (and close) before reading all of an oversized body: the answer counts.
    r.on('error', (e) => {
      if (!answered) resolve({ status: 0, text: '', error: (e as NodeJS.ErrnoException).code ?? e.message });
    });
    r.end(req.body);
  });
}

function checkAnswer(req: HostileRequest, res: Answer): string | undefined {
  if (res.error) return `no answer (${res.error})`;
  if (res.status >= 500) return `HTTP ${res.status}`;
  if (res.status < 400 || req.method === 'HEAD') return undefined;
  let body: { error?: { code?: unknown; message?: unknown } };
  try {
    body = JSON.parse(res.text) as typeof body;
  } catch {
    return 'the error body is not JSON';
  }
  if (typeof body.error?.code !== 'string' || !body.error.code || typeof body.error.message !== 'string' || !body.error.message) {
    return 'the error body is not a CloudError';
  }
  if (res.text.includes(SECRET_TEXT)) return 'the error body holds the secret';
  return undefined;
}

function report(i: number, req: HostileRequest, res: Answer, problem: string): string {
  const body = req.body === undefined ? '' : ` body ${JSON.stringify(req.body.slice(0, 200))}`;
  return `#${i} ${problem}: ${req.method} ${req.target.slice(0, 300)} ${JSON.stringify(req.headers)}${body} [${req.mutations.join('; ')}] -> ${res.status} ${res.text.slice(0, 300)}`;
}

const fingerprint = () => stateFingerprint(catalog, svc.dataDir);
