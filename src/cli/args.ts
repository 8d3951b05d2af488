// az-style argument parsing: long and short options, one-or-more values (nargs='+'), flags,
// case-insensitive enums normalised to their canonical casing, and JSON arguments given inline,
// as @file or as a file path. Problems with the command line are usage errors (exit 2).
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { errors } from '../domain/errors.ts';
import type { ArgSpec, ArgValues } from './command.ts';
import { closest } from './suggest.ts';

export interface ParsedArgs {
  values: ArgValues;
  /** Which arguments the user gave (by key). */
  given: Set<string>;
}

const looksLikeValue = (tok: string) => !tok.startsWith('-') || /^-\d+(\.\d+)?$/.test(tok);

export function parseArgs(specs: Record<string, ArgSpec>, argv: string[]): ParsedArgs {
  const byName = new Map<string, [string, ArgSpec]>();
  for (const [key, spec] of Object.entries(specs)) for (const n of spec.names) byName.set(n, [key, spec]);
  const raw = new Map<string, string[]>();
  const unrecognized: string[] = [];
  const unknownOptions: string[] = [];
  const positionals: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    let tok = argv[i]!;
    let inline: string | undefined;
    if (tok.startsWith('--') && tok.includes('=')) {
      inline = tok.slice(tok.indexOf('=') + 1);
      tok = tok.slice(0, tok.indexOf('='));
    }
    const hit = tok.startsWith('-') && !/^-\d/.test(tok) ? byName.get(tok) : undefined;
    if (!hit) {
      // An unknown option's values are part of it, not stray positionals.
      const values: string[] = [];
      if (tok.startsWith('-') && inline === undefined) while (i + 1 < argv.length && looksLikeValue(argv[i + 1]!)) values.push(argv[++i]!);
      unrecognized.push(tok, ...values);
      if (tok.startsWith('-')) unknownOptions.push(tok);
      else positionals.push(tok);
      continue;
    }
    const [key, spec] = hit;
    const arity = spec.arity ?? 'one';
    if (arity === 'flag') {
      raw.set(key, ['true']);
      continue;
    }
    const vals: string[] = inline !== undefined ? [inline] : [];
    if (inline === undefined) {
      while (i + 1 < argv.length && looksLikeValue(argv[i + 1]!)) {
        vals.push(argv[++i]!);
        if (arity === 'one') break;
      }
    }
    if (!vals.length) throw errors.argumentValueInvalid(`argument ${spec.names.join('/')}: expected ${arity === 'many' ? 'at least one argument' : 'one argument'}`);
    // A repeated single-valued option keeps the last value, as argparse does; repeated lists add up.
    raw.set(key, arity === 'many' ? [...(raw.get(key) ?? []), ...vals] : vals);
  }
  if (unrecognized.length) throw errors.argumentUnrecognized(unrecognizedMessage(unrecognized, unknownOptions, positionals, byName));
  const missing = Object.entries(specs).filter(([k, s]) => s.required && !raw.has(k));
  if (missing.length) throw errors.argumentRequired(`the following arguments are required: ${missing.map(([, s]) => s.names.join('/')).join(', ')}`);

  const values: ArgValues = {};
  for (const [key, spec] of Object.entries(specs)) {
    const vals = raw.get(key);
    if (!vals) {
      if (spec.default !== undefined) values[key] = spec.default;
      else if (spec.arity === 'flag') values[key] = false;
      continue;
    }
    if (spec.arity === 'flag') {
      values[key] = true;
      continue;
    }
    const converted = vals.map((v) => convert(spec, v));
    values[key] = spec.arity === 'many' ? converted : converted[0];
  }
  return { values, given: new Set(raw.keys()) };
}

function unrecognizedMessage(tokens: string[], options: string[], positionals: string[], byName: Map<string, [string, ArgSpec]>): string {
  const hints: string[] = [];
  const known = [...byName.keys()].filter((n) => n.startsWith('--')).map((n) => n.slice(2));
  for (const t of options) {
    const guess = closest(t.replace(/^-+/, ''), known);
    if (guess) hints.push(`'${t}' is not an option; did you mean '--${guess}'?`);
  }
  if (positionals.length) hints.push(`this command takes no positional values (${positionals.map((p) => `'${p}'`).join(', ')}); every value follows its --option`);
  return `unrecognized arguments: ${tokens.join(' ')}${hints.length ? `\n${hints.join('\n')}` : ''}`;
}

function convert(spec: ArgSpec, value: string): unknown {
  const name = spec.names[0]!;
  if (spec.enum) {
    const hit = spec.enum.find((e) => e.toLowerCase() === value.toLowerCase());
    if (!hit) throw errors.argumentValueInvalid(`argument ${spec.names.join('/')}: invalid choice: '${value}' (choose from ${spec.enum.map((e) => `'${e}'`).join(', ')})`);
    return hit;
  }
  switch (spec.type) {
    case 'int': {
      if (!/^[-+]?\d+$/.test(value.trim())) throw errors.argumentValueInvalid(`argument ${spec.names.join('/')}: invalid int value: '${value}'`);
      return Number(value);
    }
    case 'float': {
      const n = Number(value);
      if (value.trim() === '' || !Number.isFinite(n)) throw errors.argumentValueInvalid(`argument ${spec.names.join('/')}: invalid float value: '${value}'`);
      return n;
    }
    case 'json':
      return readJsonArgument(name, value);
    default:
      return value;
  }
}

/** A JSON argument: inline JSON, `@file`, or the path of an existing file (as az's validate_file_or_dict). */
export function readJsonArgument(name: string, value: string): unknown {
  const trimmed = value.trim();
  if (trimmed.startsWith('{') || trimmed.startsWith('[')) return parseJson(name, trimmed, 'string');
  const path = resolvePath(value.startsWith('@') ? value.slice(1) : value);
  if (path) {
    let text: string;
    try {
      text = readFileSync(path, 'utf8').replace(/^\uFEFF/, '');
    } catch (e) {
      throw errors.argumentValueInvalid(`argument ${name}: cannot read file '${path}': ${(e as Error).message}`);
    }
    return parseJson(name, text, `file '${path}'`);
  }
  if (value.startsWith('@') || /[\\/]|\.json$/i.test(value)) {
    throw errors.argumentValueInvalid(`argument ${name}: the file '${value.replace(/^@/, '')}' does not exist.`);
  }
  return parseJson(name, trimmed, 'string');
}

function resolvePath(p: string): string | undefined {
  if (existsSync(p)) return p;
  // The Learn docs write Windows paths (.\OSSPolicy.json) and change a file name's case between
  // steps (EditedOSSPolicy.json, then .\EditedOSSPolicy.JSON), which Windows forgives: so do we,
  // when exactly one file matches without regard to case.
  const posix = p.replaceAll('\\', '/');
  if (existsSync(posix)) return posix;
  const dir = dirname(posix);
  const want = basename(posix).toLowerCase();
  if (!want || !existsSync(dir)) return undefined;
  const matches = readdirSync(dir).filter((f) => f.toLowerCase() === want);
  return matches.length === 1 ? join(dir, matches[0]!) : undefined;
}

function parseJson(name: string, text: string, source: string): unknown {
  if (!text.trim()) throw errors.argumentValueInvalid(`argument ${name}: the ${source} is empty; expected JSON.`);
  try {
    return JSON.parse(text);
  } catch (e) {
    throw errors.argumentValueInvalid(`argument ${name}: failed to parse ${source} as JSON: ${(e as Error).message}`);
  }
}
