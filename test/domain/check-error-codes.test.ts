// scripts/check-error-codes.js on real files: it names a literal code at a throw site outside the
// catalog (file and line) and fails, lets the catalog and the folders not converted yet pass,
// and passes on this repository as it is.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, test } from 'node:test';
import { fileURLToPath } from 'node:url';

const repo = fileURLToPath(new URL('../..', import.meta.url));
const script = join(repo, 'scripts', 'check-error-codes.js');
const dirs: string[] = [];
after(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

function check(files: Record<string, string>): { status: number | null; out: string } {
  const root = mkdtempSync(join(tmpdir(), 'dpvault-codes-'));
  dirs.push(root);
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(dirname(join(root, name)), { recursive: true });
    writeFileSync(join(root, name), text);
  }
  const r = spawnSync(process.execPath, [script, root], { encoding: 'utf8' });
  return { status: r.status, out: r.stdout + r.stderr };
}

test('a literal code passed to DpError or a generic constructor outside the catalog fails the check, named by file and line', () => {
  const r = check({
    'src/repository/a.ts': "import { DpError } from '../domain/errors.ts';\n\nthrow new DpError('invalid', 'SomeCode', `a, b ${1}`);\n",
    'src/cli/b.ts': "// invalid('InComment', 'x') is only a comment\nthrow invalid('OtherCode', 'm');\n",
    'src/storage/c.ts': "throw usage('a message', 'UsageCode');\nthrow conflict(code ?? 'FallbackCode', 'm');\n",
  });
  assert.equal(r.status, 1);
  assert.match(r.out, /src\/repository\/a\.ts:3: DpError\(\.\.\.\) is given the literal code 'SomeCode'/);
  assert.match(r.out, /src\/cli\/b\.ts:2: invalid\(\.\.\.\) is given the literal code 'OtherCode'/);
  assert.match(r.out, /src\/storage\/c\.ts:1: usage\(\.\.\.\) is given the literal code 'UsageCode'/);
  assert.match(r.out, /src\/storage\/c\.ts:2: conflict\(\.\.\.\) is given the literal code 'FallbackCode'/);
  assert.doesNotMatch(r.out, /InComment/);
  assert.match(r.out, /4 literal error code\(s\)/);
});

test('the catalog, catalog calls, messages alone and folders not converted yet pass', () => {
  const r = check({
    'src/domain/errors.ts': "export const x = new DpError('invalid', 'Catalogued', 'm');\n",
    'src/domain/errors/area.ts': "export const y = () => new DpError('notFound', 'AlsoCatalogued', 'm');\n",
    'src/repository/a.ts': "throw errors.repositoryNotFound('/x');\nthrow usage('only a message');\nthrow new DpError(kind, CODE, 'm');\nconst v = obj.invalid('x');\n",
    'src/services/s.ts': "throw invalid('NotConvertedYet', 'm');\n",
  });
  assert.equal(r.status, 0, r.out);
  assert.match(r.out, /1 left in folders not converted yet/);
});

test('this repository passes the check', () => {
  const r = spawnSync(process.execPath, [script], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stdout + r.stderr);
});
