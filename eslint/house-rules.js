// The rules of the house (docs/architecture.md), as an ESLint plugin of our own: which folder of
// src/ may import which, and who may read the clock. Pure data in LAYERS; the rule resolves each
// relative import to the folder it lands in and checks it against the importer's list.
import { dirname, relative, resolve, sep } from 'node:path';

/**
 * What each folder of src/ may import besides itself. Bottom up: a folder imports only folders
 * listed for it. `app` is the composition root (src/app.ts), the one place that wires everything.
 */
export const LAYERS = {
  util: [],
  domain: ['util'],
  datasources: ['domain', 'util'],
  policy: ['datasources', 'domain', 'util'],
  catalog: ['domain', 'util'],
  queue: ['catalog', 'domain', 'util'],
  storage: ['domain', 'util'],
  repository: ['storage', 'domain', 'util'],
  secrets: ['catalog', 'repository', 'domain', 'util'],
  sources: ['secrets', 'domain', 'util'],
  services: ['catalog', 'queue', 'storage', 'repository', 'secrets', 'sources', 'policy', 'datasources', 'domain', 'util'],
  jobs: ['services', 'catalog', 'queue', 'storage', 'repository', 'secrets', 'sources', 'policy', 'datasources', 'domain', 'util'],
  // Who may do what: roles, role assignments, the access checks (identity contract of issue 17).
  identity: ['services', 'catalog', 'secrets', 'domain', 'util'],
  scheduler: ['services', 'catalog', 'queue', 'policy', 'datasources', 'domain', 'util'],
  api: ['identity', 'services', 'catalog', 'queue', 'policy', 'datasources', 'domain', 'util'],
  // The CLI speaks HTTP: it shares the API's request/response definitions and the offline policy
  // helpers, never the catalog, storage, repository, queue, services or jobs.
  cli: ['api', 'secrets', 'policy', 'datasources', 'domain', 'util'],
  // The Backup center in the browser (GET /portal): it speaks HTTP like the CLI, and shares the
  // offline request builders (a restore request) and the clock.
  web: ['policy', 'datasources', 'domain', 'util'],
  app: ['api', 'identity', 'scheduler', 'jobs', 'services', 'catalog', 'queue', 'storage', 'repository', 'secrets', 'sources', 'policy', 'datasources', 'domain', 'util'],
};

/**
 * Files that are composition roots of their own: `dpvault server` and `dpvault worker` start the
 * service, with what they share (docs/architecture.md).
 */
export const ROOT_FILES = new Map(['cli/commands/server.ts', 'cli/commands/worker.ts', 'cli/commands/service-process.ts'].map((f) => [f, ['app', ...LAYERS.app]]));

/** The only module that may read the wall clock (`Date.now()`, `new Date()` without arguments). */
export const CLOCK_MODULE = 'util/clock.ts';

/** The folder of src/ a path lies in (`app` for src/app.ts), or null outside src/. */
export function layerOf(srcRoot, file) {
  const rel = relative(srcRoot, file);
  if (rel.startsWith('..') || rel === '') return null;
  const parts = rel.split(sep);
  return parts.length === 1 ? parts[0].replace(/\.ts$/, '') : parts[0];
}

const layersRule = {
  meta: {
    type: 'problem',
    docs: { description: 'A folder of src/ imports only the folders below it (docs/architecture.md).' },
    schema: [],
    messages: {
      upward: "src/{{from}} may not import src/{{to}} ('{{spec}}'): {{from}} may import only {{allowed}} (docs/architecture.md, \"Layers, bottom up\").",
      unknown: "src/{{from}} is not a known layer: add it to LAYERS in eslint/house-rules.js and to docs/architecture.md.",
    },
  },
  create(context) {
    const file = context.filename;
    const srcRoot = srcRootOf(file);
    if (!srcRoot) return {};
    const from = layerOf(srcRoot, file);
    const allowed = LAYERS[from];
    const check = (node, spec) => {
      if (typeof spec !== 'string' || !spec.startsWith('.')) return;
      const to = layerOf(srcRoot, resolve(dirname(file), spec));
      if (to === null || to === from) return;
      const extra = ROOT_FILES.get(relative(srcRoot, file).split(sep).join('/')) ?? [];
      if (allowed.includes(to) || extra.includes(to)) return;
      context.report({ node, messageId: 'upward', data: { from, to, spec, allowed: allowed.join(', ') || 'nothing' } });
    };
    return {
      Program(node) {
        if (!allowed) context.report({ node, messageId: 'unknown', data: { from } });
      },
      ImportDeclaration: (node) => allowed && check(node.source, node.source.value),
      ExportNamedDeclaration: (node) => allowed && node.source && check(node.source, node.source.value),
      ExportAllDeclaration: (node) => allowed && check(node.source, node.source.value),
      ImportExpression: (node) => allowed && node.source.type === 'Literal' && check(node.source, node.source.value),
    };
  },
};

const clockRule = {
  meta: {
    type: 'problem',
    docs: { description: 'Only src/util/clock.ts reads the wall clock.' },
    schema: [],
    messages: {
      read: 'Read the time from the Clock (src/util/clock.ts) instead of {{what}}, so tests can move time; use performance.now() for durations.',
    },
  },
  create(context) {
    const srcRoot = srcRootOf(context.filename);
    if (!srcRoot || relative(srcRoot, context.filename).split(sep).join('/') === CLOCK_MODULE) return {};
    return {
      'CallExpression[callee.type="MemberExpression"][callee.object.name="Date"][callee.property.name="now"]'(node) {
        context.report({ node, messageId: 'read', data: { what: 'Date.now()' } });
      },
      'NewExpression[callee.name="Date"]'(node) {
        if (node.arguments.length === 0) context.report({ node, messageId: 'read', data: { what: 'new Date()' } });
      },
    };
  },
};

/** The `src` directory a file lies under (the nearest ancestor named src), or null. */
function srcRootOf(file) {
  const parts = file.split(sep);
  const i = parts.lastIndexOf('src');
  return i < 0 ? null : parts.slice(0, i + 1).join(sep);
}

export default { meta: { name: 'dpvault-house' }, rules: { layers: layersRule, clock: clockRule } };
