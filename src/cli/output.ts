// az's output formats: json (keys sorted, 2-space indent), jsonc, yaml, tsv, table and none,
// after an optional JMESPath --query. As in az, tsv and table sort an object's keys unless the
// object was made by the query (a projection such as {b:x, a:y}) or by a command's table view:
// those keep the order they were written in.
import { createRequire } from 'node:module';
import { search } from '@jmespath-community/jmespath';
import { usage } from '../domain/errors.ts';

/** The yaml library, loaded only for -o yaml: it is most of the modules a CLI start would load. */
function yamlStringify(value: unknown): string {
  const yaml = createRequire(import.meta.url)('yaml') as typeof import('yaml');
  return yaml.stringify(value);
}

export const OUTPUT_FORMATS = ['json', 'jsonc', 'yaml', 'yamlc', 'tsv', 'table', 'none'] as const;
export type OutputFormat = (typeof OUTPUT_FORMATS)[number];

export function applyQuery(value: unknown, query: string | undefined): unknown {
  if (!query) return value;
  try {
    return search(value as Parameters<typeof search>[0], query);
  } catch (e) {
    throw usage(`argument --query: invalid jmespath_type value: '${query}' (${(e as Error).message})`);
  }
}

export function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(value).sort()) out[k] = sortKeys((value as Record<string, unknown>)[k]);
    return out;
  }
  return value;
}

/** Every object and array inside a value: what came from the service rather than from a --query projection. */
export function objectsIn(value: unknown, into = new WeakSet<object>()): WeakSet<object> {
  if (value && typeof value === 'object' && !into.has(value)) {
    into.add(value);
    for (const v of Object.values(value)) objectsIn(v, into);
  }
  return into;
}

/** Whether an object's keys print in their own order (true) or sorted (false). */
export type KeepsOrder = (obj: object) => boolean;

/** Renders a result; returns '' when nothing is to be printed. */
export function formatOutput(value: unknown, format: OutputFormat, keepsOrder: KeepsOrder = () => false): string {
  if (value === undefined || format === 'none') return '';
  switch (format) {
    case 'json':
    case 'jsonc':
      return `${JSON.stringify(sortKeys(value), null, 2)}\n`;
    case 'yaml':
    case 'yamlc':
      return yamlStringify(sortKeys(value));
    case 'tsv':
      return formatTsv(value, keepsOrder);
    case 'table':
      return formatTable(value, keepsOrder);
  }
}

const scalar = (v: unknown) => v === null || ['string', 'number', 'boolean'].includes(typeof v);
const cell = (v: unknown) => (v === null || v === undefined ? '' : String(v));

const keysOf = (obj: object, keepsOrder: KeepsOrder) => (keepsOrder(obj) ? Object.keys(obj) : Object.keys(obj).sort());

function formatTsv(value: unknown, keepsOrder: KeepsOrder): string {
  const rows = Array.isArray(value) ? value : [value];
  const lines = rows.map((row) => {
    if (scalar(row)) return cell(row);
    if (Array.isArray(row)) return row.filter(scalar).map(cell).join('\t');
    const obj = row as Record<string, unknown>;
    return keysOf(obj, keepsOrder).filter((k) => scalar(obj[k])).map((k) => cell(obj[k])).join('\t');
  });
  return lines.length ? `${lines.join('\n')}\n` : '';
}

const HIDDEN = new Set(['id', 'type', 'etag']);

function formatTable(value: unknown, keepsOrder: KeepsOrder): string {
  const rows: Record<string, unknown>[] = (Array.isArray(value) ? value : [value]).map((r: unknown) =>
    r && typeof r === 'object' && !Array.isArray(r) ? (r as Record<string, unknown>) : { Result: r },
  );
  if (!rows.length) return '';
  // As az's automatic table: scalar fields only, without ids, types and all-empty columns.
  const columns: string[] = [];
  for (const r of rows) for (const k of keysOf(r, keepsOrder)) if (scalar(r[k]) && !columns.includes(k) && !HIDDEN.has(k.toLowerCase())) columns.push(k);
  if (!rows.some(keepsOrder)) columns.sort();
  for (let i = columns.length - 1; i >= 0; i--) if (rows.every((r) => r[columns[i]!] === null || r[columns[i]!] === undefined)) columns.splice(i, 1);
  if (!columns.length) return '';
  const header = columns.map((c) => c.charAt(0).toUpperCase() + c.slice(1));
  const body = rows.map((r) => columns.map((c) => cell(r[c])));
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((b) => b[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd();
  return `${[line(header), line(widths.map((w) => '-'.repeat(w))), ...body.map(line)].join('\n')}\n`;
}
