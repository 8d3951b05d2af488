// Lists error codes written as string literals outside the error catalog (src/domain/errors.ts
// and src/domain/errors/): `new DpError(kind, 'Code', ...)`, `invalid('Code', ...)`, `notFound`,
// `conflict`, `forbidden` and `usage(message, 'Code')`, an error detail built by hand
// (`{ code: 'Code', ... }`) and a code compared as a literal (`e.code === 'Code'`). A throw site names
// its condition through the catalog (`errors.storageObjectNotFound(name)`) and a comparison uses the
// catalog's exported constant (`REPOSITORY_DATA_CORRUPT`), so a code is spelled once. Codes are
// CamelCase words; the system's error codes (ENOENT, ERR_..., SQLSTATE '42P04') are not ours.
// Usage: node scripts/check-error-codes.js [root]   (exit 1 when a literal code is found)
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = process.argv[2] ?? fileURLToPath(new URL('..', import.meta.url));

/** The catalog itself. */
const CATALOG = ['src/domain/errors.ts', 'src/domain/errors/'];

/** Which argument (0-based) of each constructor is the code. */
const CODE_ARG = { DpError: 1, invalid: 0, notFound: 0, conflict: 0, forbidden: 0, usage: 1 };
const CALL = /(?:\bnew\s+(DpError)|(?<![\w$.])(invalid|notFound|conflict|forbidden|usage))\s*\(/g;

function filesUnder(dir) {
  const out = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...filesUnder(p));
    else if (e.name.endsWith('.ts')) out.push(p);
  }
  return out;
}

/** The source with comments blanked out (same length, newlines kept), strings left as they are. */
function withoutComments(src) {
  let out = '';
  let i = 0;
  while (i < src.length) {
    const c = src[i];
    if (c === '/' && src[i + 1] === '/') {
      while (i < src.length && src[i] !== '\n') {
        out += ' ';
        i++;
      }
    } else if (c === '/' && src[i + 1] === '*') {
      const end = src.indexOf('*/', i + 2);
      const stop = end < 0 ? src.length : end + 2;
      for (; i < stop; i++) out += src[i] === '\n' ? '\n' : ' ';
    } else if (c === "'" || c === '"' || c === '`') {
      const j = stringEnd(src, i);
      out += src.slice(i, j);
      i = j;
    } else {
      out += c;
      i++;
    }
  }
  return out;
}

/** The index just past the string literal that opens at `i` (template substitutions included). */
function stringEnd(src, i) {
  const q = src[i];
  let j = i + 1;
  while (j < src.length && src[j] !== q) {
    if (src[j] === '\\') j += 2;
    else if (q === '`' && src[j] === '$' && src[j + 1] === '{') j = closing(src, j + 1) + 1;
    else j++;
  }
  return j + 1;
}

/** The index of the bracket that closes the one at `i`. */
function closing(src, i) {
  let depth = 0;
  for (let j = i; j < src.length; j++) {
    const c = src[j];
    if (c === "'" || c === '"' || c === '`') j = stringEnd(src, j) - 1;
    else if (c === '(' || c === '[' || c === '{') depth++;
    else if (c === ')' || c === ']' || c === '}') if (--depth === 0) return j;
  }
  return src.length;
}

/** The top-level arguments of the call whose '(' is at `open`, as source text. */
function argumentsAt(src, open) {
  const end = closing(src, open);
  const args = [];
  let start = open + 1;
  for (let j = open + 1; j < end; j++) {
    const c = src[j];
    if (c === "'" || c === '"' || c === '`') j = stringEnd(src, j) - 1;
    else if (c === '(' || c === '[' || c === '{') j = closing(src, j);
    else if (c === ',') {
      args.push(src.slice(start, j).trim());
      start = j + 1;
    }
  }
  const last = src.slice(start, end).trim();
  if (last) args.push(last);
  return args;
}

/** A string literal anywhere in the argument (`'Code'`, `x ?? 'Code'`, `a ? 'A' : 'B'`). */
const LITERAL = /'[^'\n]*'|"[^"\n]*"|`[^`$]*`/;

/** A code as dpvault and Azure write them: a CamelCase word (not ENOENT, ERR_X or '42P04'). */
const CODE = String.raw`(['"\`])([A-Z][a-z][A-Za-z]*)\1`;
/** `{ code: 'Code' }`, `x.code === 'Code'`, `'Code' !== x.code`. */
const BY_HAND = [
  { call: 'an error detail', re: new RegExp(String.raw`\bcode\s*:\s*` + CODE, 'g') },
  { call: 'a comparison', re: new RegExp(String.raw`\bcode\s*[!=]==?\s*` + CODE, 'g') },
  { call: 'a comparison', re: new RegExp(CODE + String.raw`\s*[!=]==?\s*[\w.?() ]*\bcode\b`, 'g') },
];

function literalCodes(src) {
  const text = withoutComments(src);
  const found = [];
  for (const { call, re } of BY_HAND) {
    for (const m of text.matchAll(re)) found.push({ line: text.slice(0, m.index).split('\n').length, call, code: `'${m[2]}'` });
  }
  for (const m of text.matchAll(CALL)) {
    const name = m[1] ?? m[2];
    const arg = argumentsAt(text, m.index + m[0].length - 1)[CODE_ARG[name]];
    const literal = arg === undefined ? null : LITERAL.exec(arg);
    if (literal) found.push({ line: text.slice(0, m.index).split('\n').length, call: name, code: literal[0] });
  }
  return found;
}

const under = (rel, prefixes) => prefixes.some((p) => (p.endsWith('/') ? rel.startsWith(p) : rel === p));
let problems = 0;
for (const file of filesUnder(join(root, 'src'))) {
  const rel = relative(root, file).split(sep).join('/');
  if (under(rel, CATALOG)) continue;
  for (const f of literalCodes(readFileSync(file, 'utf8'))) {
    const what = f.call.includes(' ') ? f.call : `${f.call}(...)`;
    console.error(`${rel}:${f.line}: ${what} is given the literal code ${f.code}; add a constructor or constant to the catalog in src/domain/errors.ts and use it.`);
    problems++;
  }
}
if (problems > 0) {
  console.error(`check-error-codes: ${problems} literal error code(s) outside the catalog.`);
  process.exit(1);
}
console.log('check-error-codes: no literal error codes outside the catalog.');
