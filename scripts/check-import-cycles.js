// Fails when the TypeScript modules under a directory (src/ by default) import each other in a
// cycle, type-only imports included: a cycle means two layers that cannot be understood, tested or
// moved apart. Reads every `import ... from`, `export ... from`, side-effect `import '...'` and
// `import('...')` with a relative specifier, finds the strongly connected components (Tarjan), and
// prints one cycle per component. No dependency beyond Node, so `npm run lint` can run it anywhere.
//
//   node scripts/check-import-cycles.js [dir]    exit 0: no cycle; exit 1: cycles printed
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const SPECIFIER = /(?:\b(?:import|export)\s(?:[^'"`;]*?\sfrom\s*)?|\bimport\s*\(\s*)['"]([^'"]+)['"]/g;

function sourcesUnder(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const path = join(dir, e.name);
    if (e.isDirectory()) return sourcesUnder(path);
    return e.name.endsWith('.ts') ? [path] : [];
  });
}

/** The code of a file with its comments blanked, so an import written in a comment is not one. */
function withoutComments(text) {
  return text.replace(/\/\*[\s\S]*?\*\//g, ' ').replace(/^\s*\/\/.*$/gm, '');
}

/** The file a relative specifier names, or null for a package or a file outside the tree. */
function resolveSpecifier(from, spec) {
  if (!spec.startsWith('.')) return null;
  const base = resolve(dirname(from), spec);
  const candidates = [base, base.replace(/\.js$/, '.ts'), `${base}.ts`, join(base, 'index.ts')];
  return candidates.find((c) => c.endsWith('.ts') && existsSync(c) && statSync(c).isFile()) ?? null;
}

/** Module → the modules it imports, for every `.ts` file under `dir`. */
export function importGraph(dir) {
  const graph = new Map();
  for (const file of sourcesUnder(dir)) {
    const deps = new Set();
    for (const m of withoutComments(readFileSync(file, 'utf8')).matchAll(SPECIFIER)) {
      const target = resolveSpecifier(file, m[1]);
      if (target) deps.add(target);
    }
    graph.set(file, [...deps]);
  }
  return graph;
}

/** Tarjan's strongly connected components with more than one module, or one that imports itself. */
function cyclicComponents(graph) {
  let next = 0;
  const index = new Map();
  const low = new Map();
  const stack = [];
  const onStack = new Set();
  const found = [];
  const visit = (v) => {
    index.set(v, next);
    low.set(v, next);
    next += 1;
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v), low.get(w)));
      } else if (onStack.has(w)) {
        low.set(v, Math.min(low.get(v), index.get(w)));
      }
    }
    if (low.get(v) !== index.get(v)) return;
    const component = [];
    let w;
    do {
      w = stack.pop();
      onStack.delete(w);
      component.push(w);
    } while (w !== v);
    if (component.length > 1 || (graph.get(v) ?? []).includes(v)) found.push(component);
  };
  for (const v of [...graph.keys()].sort()) if (!index.has(v)) visit(v);
  return found;
}

/** One cycle through a component, as a path that ends where it starts. */
function oneCycle(graph, component) {
  const members = new Set(component);
  const start = [...component].sort()[0];
  const path = [start];
  const seen = new Set([start]);
  const walk = (v) => {
    for (const w of graph.get(v) ?? []) {
      if (w === start) return [...path, start];
      if (!members.has(w) || seen.has(w)) continue;
      seen.add(w);
      path.push(w);
      const done = walk(w);
      if (done) return done;
      path.pop();
    }
    return null;
  };
  return walk(start);
}

/** Every import cycle under `dir`, each as the list of files around it (relative to `dir`). */
export function findImportCycles(dir) {
  const graph = importGraph(dir);
  return cyclicComponents(graph).map((c) => oneCycle(graph, c).map((f) => relative(dir, f)));
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const dir = resolve(process.argv[2] ?? join(dirname(fileURLToPath(import.meta.url)), '..', 'src'));
  const cycles = findImportCycles(dir);
  for (const c of cycles) console.error(`import cycle: ${c.join(' -> ')}`);
  if (cycles.length) {
    console.error(`${cycles.length} import cycle(s) under ${dir}; move the shared types or logic down a layer.`);
    process.exit(1);
  }
  console.log(`no import cycles under ${dir}`);
}
