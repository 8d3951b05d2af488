// The globals of a whole-server recovery point (pg_dumpall --roles-only --no-role-passwords, and
// --tablespaces-only) read as statements, each with the role or tablespace it concerns, and
// planned against a target server's roles: a restore as a server creates the roles the target
// lacks and leaves those it has exactly as they are. Pure: no I/O.

export interface GlobalStatement {
  sql: string;
  /** What the statement changes: a role (created, altered, commented, made a member), a tablespace, or nothing (a session SET). */
  subject: { kind: 'role' | 'tablespace'; name: string } | null;
}

/**
 * The statements of a pg_dumpall script: split at semicolons outside quotes, without comments,
 * blank lines and psql meta-commands (`\restrict` of newer pg_dumpall).
 */
export function splitStatements(script: string): string[] {
  const out: string[] = [];
  let current = '';
  let quote: "'" | '"' | null = null;
  for (let i = 0; i < script.length; i++) {
    const c = script[i]!;
    if (quote) {
      current += c;
      if (c === quote) quote = null; // a doubled quote closes and reopens: the same text
      continue;
    }
    if (c === "'" || c === '"') quote = c;
    else if (c === '-' && script[i + 1] === '-') {
      while (i < script.length && script[i] !== '\n') i++;
      continue;
    } else if (c === '\\' && current.trim() === '') {
      while (i < script.length && script[i] !== '\n') i++;
      continue;
    } else if (c === ';') {
      if (current.trim()) out.push(`${current.trim()};`);
      current = '';
      continue;
    }
    current += c;
  }
  if (current.trim()) out.push(current.trim());
  return out;
}

const IDENT = String.raw`("(?:[^"]|"")*"|[^\s;,()"]+)`;

/** An identifier as pg_dumpall writes it (quoted when it must be), unquoted. */
export function unquoteIdent(text: string): string {
  return text.startsWith('"') ? text.slice(1, -1).replace(/""/g, '"') : text;
}

const SUBJECTS: { kind: 'role' | 'tablespace'; pattern: RegExp }[] = [
  { kind: 'tablespace', pattern: new RegExp(String.raw`^(?:CREATE|ALTER) TABLESPACE\s+${IDENT}`, 'i') },
  { kind: 'tablespace', pattern: new RegExp(String.raw`\bON TABLESPACE\s+${IDENT}`, 'i') },
  { kind: 'role', pattern: new RegExp(String.raw`^(?:CREATE|ALTER) ROLE\s+${IDENT}`, 'i') },
  { kind: 'role', pattern: new RegExp(String.raw`\bON ROLE\s+${IDENT}`, 'i') },
  // A membership (GRANT a TO b) or a parameter privilege (GRANT SET ON PARAMETER p TO b) changes b.
  { kind: 'role', pattern: new RegExp(String.raw`^GRANT\b.*?\bTO\s+${IDENT}`, 'is') },
];

export function classifyStatement(sql: string): GlobalStatement {
  for (const { kind, pattern } of SUBJECTS) {
    const m = pattern.exec(sql);
    if (m) return { sql, subject: { kind, name: unquoteIdent(m[1]!) } };
  }
  return { sql, subject: null };
}

export function readGlobalsScript(script: string): GlobalStatement[] {
  return splitStatements(script).map(classifyStatement);
}

export interface RolesPlan {
  /** Statements to run, in order, in one transaction. */
  statements: string[];
  /** Roles the script creates that the target lacks, in the script's order. */
  created: string[];
  /** Roles the script names that the target has: left as they are. */
  existing: string[];
}

/**
 * What restoring the roles script onto a server whose roles are `existing` runs: every statement
 * about a role it lacks (its CREATE ROLE, ALTER ROLE, comment, memberships), none about a role it
 * has. A membership's `GRANTED BY` is dropped when the grantor is neither on the target nor
 * created by the script (the restoring user grants it instead).
 */
export function planRoles(statements: GlobalStatement[], existing: ReadonlySet<string>): RolesPlan {
  const created: string[] = [];
  const kept = new Set<string>();
  for (const s of statements) {
    if (s.subject?.kind !== 'role') continue;
    if (existing.has(s.subject.name)) kept.add(s.subject.name);
    else if (/^CREATE ROLE/i.test(s.sql) && !created.includes(s.subject.name)) created.push(s.subject.name);
  }
  const known = (name: string) => existing.has(name) || created.includes(name);
  const grantedBy = new RegExp(String.raw`\s+GRANTED BY\s+${IDENT}`, 'i');
  const out: string[] = [];
  for (const s of statements) {
    if (s.subject?.kind === 'role' && existing.has(s.subject.name)) continue;
    if (s.subject?.kind === 'tablespace') continue;
    const by = grantedBy.exec(s.sql);
    out.push(by && !known(unquoteIdent(by[1]!)) ? s.sql.replace(grantedBy, '') : s.sql);
  }
  return { statements: out, created, existing: [...kept] };
}

export interface TablespaceDefinition {
  name: string;
  /** Its CREATE TABLESPACE, to run alone (it cannot run in a transaction). */
  create: string;
  /** Its directory on the server it was backed up from. */
  location: string;
  /** What else the script says of it (options, grants, comment), to run once it is created. */
  rest: string[];
}

/** The tablespaces a tablespaces script creates, each with its other statements; session SETs are left out. */
export function readTablespaces(statements: GlobalStatement[]): TablespaceDefinition[] {
  const out = new Map<string, TablespaceDefinition>();
  for (const s of statements) {
    if (s.subject?.kind !== 'tablespace') continue;
    const name = s.subject.name;
    if (/^CREATE TABLESPACE/i.test(s.sql)) {
      const loc = /\bLOCATION\s+'((?:[^']|'')*)'/i.exec(s.sql);
      out.set(name, { name, create: s.sql, location: loc ? loc[1]!.replace(/''/g, "'") : '', rest: [] });
    } else out.get(name)?.rest.push(s.sql);
  }
  return [...out.values()];
}
