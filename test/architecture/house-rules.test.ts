// The rules of the house, as the linter enforces them (eslint/house-rules.js): each case lints a
// deliberately wrong (or right) file placed, by name, where it would live in src/, with the
// project's own eslint.config.js.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { ESLint } from 'eslint';

const root = join(import.meta.dirname, '..', '..');
const eslint = new ESLint({ cwd: root });

async function problems(file: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: join(root, file) });
  return result!.messages.filter((m) => m.ruleId?.startsWith('house/')).map((m) => `${m.ruleId}: ${m.message}`);
}

test('a folder may not import a folder above it', async () => {
  const found = await problems('src/domain/wrong.ts', "import { getVault } from '../services/vaults.ts';\nexport const x = getVault;\n");
  assert.equal(found.length, 1, found.join('\n'));
  assert.match(found[0]!, /^house\/layers: src\/domain may not import src\/services/);
});

test('imports that skip layers downward, re-exports and dynamic imports are checked alike', async () => {
  assert.deepEqual(await problems('src/repository/ok.ts', "import { DpError } from '../domain/errors.ts';\nexport { DpError };\n"), []);
  const reexport = await problems('src/storage/wrong.ts', "export { Repository } from '../repository/repository.ts';\n");
  assert.match(reexport.join('\n'), /src\/storage may not import src\/repository/);
  const dynamic = await problems('src/services/wrong.ts', "export const load = () => import('../jobs/backup-job.ts');\n");
  assert.match(dynamic.join('\n'), /src\/services may not import src\/jobs/);
  const deep = await problems('src/api/routes/wrong.ts', "import type { Worker } from '../../jobs/worker.ts';\nexport type W = Worker;\n");
  assert.match(deep.join('\n'), /src\/api may not import src\/jobs/, 'type-only imports count too');
});

test('the CLI reaches the catalog, storage and repository only through the server command', async () => {
  for (const [folder, spec] of [['catalog', 'catalog/sqlite.ts'], ['storage', 'storage/fs.ts'], ['repository', 'repository/repository.ts']]) {
    const found = await problems('src/cli/commands/vault/wrong.ts', `import * as m from '../../../${spec}';\nexport const x = m;\n`);
    assert.match(found.join('\n'), new RegExp(`src/cli may not import src/${folder}`));
  }
  assert.deepEqual(await problems('src/cli/commands/server.ts', "import { startService } from '../../app.ts';\nimport type { Catalog } from '../../catalog/catalog.ts';\nexport const x = startService;\nexport type C = Catalog;\n"), []);
});

test('only the clock module reads the clock', async () => {
  const found = await problems('src/jobs/wrong.ts', 'export const a = Date.now();\nexport const b = new Date();\nexport const c = new Date(0);\nexport const d = performance.now();\n');
  assert.equal(found.length, 2, found.join('\n'));
  assert.ok(found.every((f) => f.startsWith('house/clock:')));
  assert.deepEqual(await problems('src/util/clock.ts', 'export const now = () => new Date(Date.now());\n'), []);
  assert.deepEqual(await problems('test/jobs/anything.test.ts', 'export const a = Date.now();\n'), [], 'tests may read the clock');
});

test('a new folder of src/ must be given its place', async () => {
  const found = await problems('src/mystery/thing.ts', 'export const x = 1;\n');
  assert.match(found.join('\n'), /src\/mystery is not a known layer/);
});
