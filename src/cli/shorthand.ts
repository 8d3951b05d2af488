// AAZ "shorthand syntax" for list-of-object arguments: key=value pairs
// (`datastore-type=VaultStore type=LocallyRedundant`) or a relaxed JSON list
// (`[{type:'LocallyRedundant',datastore-type:'VaultStore'}]`).
import { usage } from '../domain/errors.ts';

export function parseObjectList(name: string, tokens: string[]): Record<string, string>[] {
  const joined = tokens.join(' ').trim();
  if (joined.startsWith('[') || joined.startsWith('{')) return parseRelaxed(name, joined);
  const out: Record<string, string>[] = [];
  // A Map, not an object: keys such as 'constructor' or '__proto__' are the user's, not Object's.
  let current = new Map<string, string>();
  for (const tok of tokens) {
    const eq = tok.indexOf('=');
    if (eq <= 0) throw usage(`argument ${name}: expected key=value pairs, got '${tok}'`);
    const key = tok.slice(0, eq);
    const value = tok.slice(eq + 1).replace(/^(['"])(.*)\1$/, '$2');
    if (current.has(key)) {
      out.push(Object.fromEntries(current));
      current = new Map();
    }
    current.set(key, value);
  }
  if (current.size) out.push(Object.fromEntries(current));
  return out;
}

function parseRelaxed(name: string, text: string): Record<string, string>[] {
  // Quote bare keys and values, and turn single quotes into double quotes, then read it as JSON.
  const json = text
    .replace(/'([^']*)'/g, (_, s: string) => JSON.stringify(s))
    .replace(/([{,]\s*)([A-Za-z_][-\w]*)\s*:/g, '$1"$2":')
    .replace(/:\s*([A-Za-z_][-\w]*)\s*([,}])/g, ':"$1"$2');
  try {
    const v = JSON.parse(json) as unknown;
    return (Array.isArray(v) ? v : [v]) as Record<string, string>[];
  } catch {
    throw usage(`argument ${name}: cannot read '${text}' as a list of objects`);
  }
}

/** Maps the CLI's kebab-case keys to the API's camelCase (`datastore-type` -> `datastoreType`). */
export function camelKeys(o: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(o).map(([k, v]) => [k.replace(/[-_]([a-z])/g, (_, c: string) => c.toUpperCase()), v]));
}
