// Hostile HTTP requests generated from the route table with a seeded PRNG: every method, malformed
// percent-encoding in any path segment or query, object-key names, overlong names, wrong
// api-versions, bodies that are not JSON objects, wrong media types, and bodies shaped like the
// route's own with one field of the wrong type. The same seed gives the same requests.
import type { ApiVersionKind } from '../../src/api/api-version.ts';
import { API } from './api-resources.ts';

export interface RouteInfo {
  method: string;
  pattern: string;
  versions: ApiVersionKind | 'none';
}

export interface HostileRequest {
  method: string;
  /** The request target exactly as sent: path and query, already percent-encoded (or not). */
  target: string;
  headers: Record<string, string>;
  body?: string;
  /** What was done to the request, for the failure report. */
  mutations: string[];
}

/** mulberry32: small, fast and good enough to pick test inputs reproducibly. */
export class Rng {
  #state: number;
  constructor(seed: number) {
    this.#state = seed >>> 0;
  }
  next(): number {
    this.#state = (this.#state + 0x6d2b79f5) >>> 0;
    let t = this.#state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  int(n: number): number {
    return Math.floor(this.next() * n);
  }
  pick<T>(xs: readonly T[]): T {
    return xs[this.int(xs.length)]!;
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
}

export const METHODS = ['GET', 'HEAD', 'PUT', 'POST', 'PATCH', 'DELETE', 'OPTIONS', 'PROPFIND', 'PURGE', 'FROB'];
export const OBJECT_KEY_NAMES = ['__proto__', 'constructor', 'toString', 'hasOwnProperty', 'valueOf', 'prototype', 'isPrototypeOf', '__defineGetter__'];
const MALFORMED_ESCAPES = ['%', '%Z', '%ZZ', 'a%2', '%%41', '%E0%A4', '%ED%A0%80', '%C0%AF', '%FF', '%F0%9F%92'];
const ODD_SEGMENTS = [
  ...OBJECT_KEY_NAMES, '..', '.', '%2F', '%2E%2E', '%00', '%0A', '%20', '%22', '%27', '%3Cscript%3E', 'caf%C3%A9', '%F0%9F%92%A5', '-', '_', '1',
  'a'.repeat(91), 'a'.repeat(300), 'b'.repeat(3000),
];
const WRONG_API_VERSIONS = ['', '2020-01-01', '2026-03-01-preview', 'latest', '__proto__', '2026-3-1', '%ZZ', 'x'.repeat(500)];
const QUERY_EXTRAS = [
  '__proto__=1', 'constructor=x', 'toString=', '__proto__[polluted]=1', 'hasOwnProperty=1', '%ZZ=1', 'a=%', 'a=%E0%A4', '$top=0', '$top=-1',
  '$top=1e3', '$top=abc', '$top=__proto__', '$top=1001', '$top=2', '$skipToken=x', '$skipToken=constructor', '$skipToken=99999999999999999999',
  '$filter=%ZZ', "$filter=properties%2FrecoveryPointTime%20ge%20'__proto__'", '$filter=constructor', 'secretUri=__proto__',
  'secretUri=https%3A%2F%2Ffuzzkv.vault.azure.net%2Fsecrets%2Fconstructor',
];
/** Values of the wrong type (or just wrong) for any field of a body. */
const WRONG_VALUES: unknown[] = [null, 0, -1, 1.5, 1e308, true, false, '', 'x', '__proto__', 'constructor', [], [null], [{}], {}, 'é'.repeat(3000),
  'line\nbreak', 'nul\u0000', 'lone \ud800 surrogate', '\u2028', 'https://evil.invalid/x?y=%ZZ'];
const GARBAGE_BODIES = [
  '', '{', '}', '{"a":', 'nul', 'undefined', "{'a':1}", '{"a":1,}', '[]', '[{}]', '"text"', 'null', '0', 'true', '{}', '\u0000',
  '{"__proto__":{"polluted":true}}', '{"constructor":{"prototype":{"polluted":true}}}', `${'['.repeat(3000)}${']'.repeat(3000)}`,
  `{"a":${'{"a":'.repeat(3000)}1${'}'.repeat(3000)}}`,
];
const CONTENT_TYPES = ['text/plain', 'application/x-www-form-urlencoded', 'application/xml', 'multipart/form-data; boundary=x', 'application/jsonx', 'json', ''];

/** A segment's fixed value: the real resources the fuzz test created, by route parameter name. */
export type ParamValues = Record<string, string>;

/** Bodies shaped like each route's own, keyed by the route pattern's last segment (lower case). */
export type BodyTemplates = Map<string, Record<string, unknown>>;

export function hostileRequest(rng: Rng, route: RouteInfo, params: ParamValues, templates: BodyTemplates): HostileRequest {
  const mutations: string[] = [];
  const method = rng.chance(0.5) ? route.method : rng.pick(METHODS);
  if (method !== route.method) mutations.push(`method ${method}`);
  const segments = route.pattern.split('/').filter(Boolean).map((s) =>
    s.startsWith('{') ? encodeURIComponent(params[s.slice(1, -1)] ?? 'x') : rng.chance(0.1) ? randomCase(rng, s) : s,
  );
  for (let n = rng.int(3); n > 0; n--) {
    const i = rng.int(segments.length);
    const value = rng.chance(0.4) ? spliceInto(rng, segments[i]!, rng.pick(MALFORMED_ESCAPES)) : rng.pick(ODD_SEGMENTS);
    mutations.push(`segment ${i} ${value.slice(0, 40)}`);
    segments[i] = value;
  }
  if (rng.chance(0.05)) {
    segments.push(rng.pick([...ODD_SEGMENTS, ...MALFORMED_ESCAPES]));
    mutations.push('extra segment');
  }
  if (rng.chance(0.003)) {
    segments.push('c'.repeat(20_000));
    mutations.push('target larger than the header limit');
  }
  let path = `/${segments.join('/')}`;
  if (rng.chance(0.03)) {
    path = rng.pick([`/${path}`, `${path}/`, `http://fuzz.invalid${path}`]);
    mutations.push(`path form ${path.slice(0, 20)}`);
  }
  const query: string[] = [];
  const version = apiVersionFor(route.versions);
  const r = rng.next();
  if (r < 0.65) query.push(`api-version=${version}`);
  else if (r < 0.75) mutations.push('no api-version');
  else {
    const wrong = rng.pick(WRONG_API_VERSIONS);
    query.push(`api-version=${wrong}`);
    mutations.push(`api-version ${wrong.slice(0, 20)}`);
  }
  for (let n = rng.chance(0.4) ? 1 + rng.int(3) : 0; n > 0; n--) {
    const extra = rng.pick(QUERY_EXTRAS);
    query.splice(rng.int(query.length + 1), 0, extra);
    mutations.push(`query ${extra}`);
  }
  const { body, contentType } = hostileBody(rng, route, templates, mutations);
  const headers: Record<string, string> = {};
  if (contentType !== undefined) headers['content-type'] = contentType;
  return { method, target: query.length ? `${path}?${query.join('&')}` : path, headers, body, mutations };
}

function hostileBody(rng: Rng, route: RouteInfo, templates: BodyTemplates, mutations: string[]): { body?: string; contentType?: string } {
  const template = templates.get(route.pattern.split('/').pop()!.toLowerCase()) ?? { properties: {} };
  const r = rng.next();
  let body: string | undefined;
  if (r < 0.15) body = undefined;
  else if (r < 0.3) body = JSON.stringify(template);
  else if (r < 0.65) {
    const [text, where] = withWrongField(rng, template);
    body = text;
    mutations.push(`wrong field ${where}`);
  } else if (r < 0.8) {
    body = JSON.stringify(withOddKeys(rng, template));
    mutations.push('object-key names as body keys');
  } else if (r < 0.998) {
    body = rng.pick(GARBAGE_BODIES);
    mutations.push(`body ${JSON.stringify(body.slice(0, 30))}`);
  } else {
    body = `{"a":"${'x'.repeat(5 * 1024 * 1024)}"}`;
    mutations.push('body over 4 MiB');
  }
  let contentType: string | undefined = body === undefined ? undefined : 'application/json';
  if (rng.chance(0.06)) {
    contentType = rng.chance(0.2) ? undefined : rng.pick(CONTENT_TYPES);
    mutations.push(`content-type ${String(contentType)}`);
  }
  return { body, contentType };
}

/** The template with one field (leaf or object, at any depth) replaced by a value of the wrong type. */
function withWrongField(rng: Rng, template: Record<string, unknown>): [string, string] {
  const copy = structuredClone(template);
  const slots: { parent: Record<string, unknown> | unknown[]; key: string | number; path: string }[] = [];
  const walk = (node: unknown, path: string) => {
    if (Array.isArray(node)) node.forEach((v, i) => (slots.push({ parent: node, key: i, path: `${path}[${i}]` }), walk(v, `${path}[${i}]`)));
    else if (node && typeof node === 'object') {
      for (const [k, v] of Object.entries(node)) {
        slots.push({ parent: node as Record<string, unknown>, key: k, path: `${path}.${k}` });
        walk(v, `${path}.${k}`);
      }
    }
  };
  walk(copy, '');
  if (!slots.length) return [JSON.stringify(rng.pick(WRONG_VALUES)), '(root)'];
  const slot = rng.pick(slots);
  (slot.parent as Record<string | number, unknown>)[slot.key] = structuredClone(rng.pick(WRONG_VALUES));
  return [JSON.stringify(copy), slot.path];
}

/** The template with own properties named like Object.prototype's members added to one of its objects. */
function withOddKeys(rng: Rng, template: Record<string, unknown>): Record<string, unknown> {
  const copy = structuredClone(template);
  const objects: Record<string, unknown>[] = [];
  const walk = (node: unknown) => {
    if (node && typeof node === 'object') {
      if (!Array.isArray(node)) objects.push(node as Record<string, unknown>);
      for (const v of Object.values(node)) walk(v);
    }
  };
  walk(copy);
  const target = rng.pick(objects);
  for (let n = 1 + rng.int(3); n > 0; n--) {
    // defineProperty makes an own, enumerable `__proto__` that JSON.stringify writes out.
    Object.defineProperty(target, rng.pick(OBJECT_KEY_NAMES), { value: structuredClone(rng.pick(WRONG_VALUES)), enumerable: true, writable: true, configurable: true });
  }
  return copy;
}

function apiVersionFor(kind: RouteInfo['versions']): string {
  return kind === 'none' ? API.dataprotection : API[kind];
}

function randomCase(rng: Rng, s: string): string {
  return [...s].map((c) => (rng.chance(0.5) ? c.toUpperCase() : c.toLowerCase())).join('');
}

function spliceInto(rng: Rng, s: string, insert: string): string {
  const at = rng.int(s.length + 1);
  return s.slice(0, at) + insert + s.slice(at);
}
