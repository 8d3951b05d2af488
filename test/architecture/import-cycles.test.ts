// The import-cycle checker run by `npm run lint`: it fails on a tree with a cycle (type-only
// imports count), names the files around it, and passes on src/.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const script = join(root, 'scripts', 'check-import-cycles.js');

const check = (dir?: string) => spawnSync(process.execPath, dir ? [script, dir] : [script], { encoding: 'utf8' });

function tree(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'dpvault-cycles-'));
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, name)), { recursive: true });
    writeFileSync(join(dir, name), text);
  }
  return dir;
}

test('a cycle through a type-only import fails and is printed', (t) => {
  const dir = tree({
    'services/points.ts': "import { instanceOf } from './instances.ts';\nexport const p = instanceOf;\n",
    'services/instances.ts': "import { plan } from '../policy/plan.ts';\nexport const instanceOf = plan;\n",
    'policy/plan.ts': "import type {\n  Point,\n} from '../services/points.ts';\nexport const plan = (x: Point) => x;\n",
    'domain/leaf.ts': "import { readFileSync } from 'node:fs';\nexport const leaf = readFileSync;\n",
  });
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const r = check(dir);
  assert.equal(r.status, 1, r.stdout + r.stderr);
  assert.match(r.stderr, /import cycle: policy\/plan\.ts -> services\/points\.ts -> services\/instances\.ts -> policy\/plan\.ts/);
  assert.match(r.stderr, /1 import cycle\(s\)/);
});

test('re-exports and dynamic imports count; imports in comments and of packages do not', (t) => {
  const dir = tree({
    'a.ts': "export { b } from './b.ts';\n// import { a } from './a.ts';\nimport 'node:path';\n",
    'b.ts': "export const b = () => import('./c.ts');\n",
    'c.ts': "/* import { b } from './b.ts'; */\nexport * from './a.ts';\n",
    'd.ts': "// import { d } from './d.ts';\nexport const d = 1;\n",
  });
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const r = check(dir);
  assert.equal(r.status, 1);
  const lines = r.stderr.split('\n').filter((l) => l.startsWith('import cycle:'));
  assert.deepEqual(lines, ['import cycle: a.ts -> b.ts -> c.ts -> a.ts']);
});

test('a tree without cycles passes', (t) => {
  const dir = tree({
    'a.ts': "import { b } from './b.ts';\nimport type { C } from './c.ts';\nexport const a = (c: C) => b(c);\n",
    'b.ts': "import type { C } from './c.ts';\nexport const b = (c: C) => c;\n",
    'c.ts': 'export type C = number;\n',
  });
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const r = check(dir);
  assert.equal(r.status, 0, r.stderr);
});

test('src/ has no import cycles', () => {
  const r = check();
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /no import cycles/);
});
