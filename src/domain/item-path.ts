// The items of an item-level restore: a table named `SCHEMA.TABLE` as PostgreSQL reads a
// qualified name (an unquoted part is folded to lower case; a double-quoted part is taken as
// written, `""` standing for one quote). Pure: used by the CLI's request builder and the service.

export interface TableName {
  schema: string;
  table: string;
}

/** PostgreSQL's identifier limit (NAMEDATALEN - 1), in bytes. */
const MAX_NAME_BYTES = 63;
const UNQUOTED = /^[A-Za-z_\u0080-\uffff][A-Za-z0-9_$\u0080-\uffff]*/;

/** One part at the start of `text`: its name and the rest of the text, or why it is not one. */
function readPart(text: string): { name: string; rest: string } | string {
  if (text.startsWith('"')) {
    let name = '';
    for (let i = 1; i < text.length; i++) {
      if (text[i] !== '"') name += text[i];
      else if (text[i + 1] === '"') name += text[++i];
      else return name ? { name, rest: text.slice(i + 1) } : 'an empty quoted name';
    }
    return 'an unterminated quoted name';
  }
  const m = UNQUOTED.exec(text);
  if (!m) return `'${text.slice(0, 1) || ''}' where a name should start`;
  return { name: m[0].toLowerCase(), rest: text.slice(m[0].length) };
}

/** The table `text` names, or a sentence saying why it is not `SCHEMA.TABLE`. */
export function parseTableName(text: string): TableName | string {
  const first = readPart(text.trim());
  if (typeof first === 'string') return `'${text}' is not SCHEMA.TABLE: it has ${first}.`;
  if (!first.rest.startsWith('.')) return `'${text}' is not SCHEMA.TABLE: ${first.rest ? `unexpected '${first.rest}'` : 'the schema is missing (write public.' + text.trim() + ' for the public schema)'}.`;
  const second = readPart(first.rest.slice(1));
  if (typeof second === 'string') return `'${text}' is not SCHEMA.TABLE: it has ${second}.`;
  if (second.rest) return `'${text}' is not SCHEMA.TABLE: unexpected '${second.rest}' after the table name.`;
  for (const name of [first.name, second.name]) {
    if (Buffer.byteLength(name) > MAX_NAME_BYTES) return `'${text}': the name '${name}' is longer than PostgreSQL's 63 bytes.`;
    if (name.includes('\0')) return `'${text}': a name cannot hold a NUL character.`;
  }
  return { schema: first.name, table: second.name };
}

/** A name quoted only where PostgreSQL needs it (as quote_ident does, less the keyword list: quoting a keyword is always safe). */
export function quoteName(name: string): string {
  return /^[a-z_][a-z0-9_$]*$/.test(name) ? name : `"${name.replace(/"/g, '""')}"`;
}

/** `schema.table`, each part quoted where needed: the form parseTableName reads back. */
export function formatTableName(t: TableName): string {
  return `${quoteName(t.schema)}.${quoteName(t.table)}`;
}

/** Always-quoted `"schema"."table"`, for SQL and for pg_dump's --table (inside quotes a pattern is literal). */
export function sqlTableName(t: TableName): string {
  return `"${t.schema.replace(/"/g, '""')}"."${t.table.replace(/"/g, '""')}"`;
}

export const sameTable = (a: TableName, b: TableName): boolean => a.schema === b.schema && a.table === b.table;
