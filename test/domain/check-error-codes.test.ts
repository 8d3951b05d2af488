// scripts/check-error-codes.js on real files: it names a literal code outside the catalog (file
// and line) at a throw site, in an error detail built by hand or in a comparison, and fails; it lets
// the catalog and the system's own error codes pass, and passes on this repository as it is.
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
    'src/services/d.ts': "throw invalid('ServiceCode', 'm');\n",
    'src/jobs/e.ts': "const error = { code: 'HandMadeCode', message: 'm' };\nif (e.code === 'ComparedCode') x();\nif ('ReversedCode' !== (e as DpError).code) y();\n",
  });
  assert.equal(r.status, 1);
  assert.match(r.out, /src\/repository\/a\.ts:3: DpError\(\.\.\.\) is given the literal code 'SomeCode'/);
  assert.match(r.out, /src\/cli\/b\.ts:2: invalid\(\.\.\.\) is given the literal code 'OtherCode'/);
  assert.match(r.out, /src\/storage\/c\.ts:1: usage\(\.\.\.\) is given the literal code 'UsageCode'/);
  assert.match(r.out, /src\/storage\/c\.ts:2: conflict\(\.\.\.\) is given the literal code 'FallbackCode'/);
  assert.match(r.out, /src\/services\/d\.ts:1: invalid\(\.\.\.\) is given the literal code 'ServiceCode'/);
  assert.match(r.out, /src\/jobs\/e\.ts:1: an error detail is given the literal code 'HandMadeCode'/);
  assert.match(r.out, /src\/jobs\/e\.ts:2: a comparison is given the literal code 'ComparedCode'/);
  assert.match(r.out, /src\/jobs\/e\.ts:3: a comparison is given the literal code 'ReversedCode'/);
  assert.doesNotMatch(r.out, /InComment/);
  assert.match(r.out, /8 literal error code\(s\)/);
});

test("the catalog, catalog calls and constants, messages alone and the system's error codes pass", () => {
  const r = check({
    'src/domain/errors.ts': "export const x = new DpError('invalid', 'Catalogued', 'm');\n",
    'src/domain/errors/area.ts': "export const y = () => new DpError('notFound', 'AlsoCatalogued', 'm');\n",
    'src/repository/a.ts': "throw errors.repositoryNotFound('/x');\nthrow usage('only a message');\nthrow new DpError(kind, CODE, 'm');\nconst v = obj.invalid('x');\n",
    'src/services/s.ts': "if (e.code === REPOSITORY_DATA_CORRUPT) x();\nconst d = { code: err.code, message: 'm' };\n",
    'src/jobs/j.ts': "if (e.code === 'ENOENT' || err.code !== 'ERR_HTTP_REQUEST_TIMEOUT' || code === '42P04') x();\n",
  });
  assert.equal(r.status, 0, r.out);
  assert.match(r.out, /no literal error codes outside the catalog/);
});

test('this repository passes the check', () => {
  const r = spawnSync(process.execPath, [script], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stdout + r.stderr);
});
