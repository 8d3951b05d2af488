// Compares two databases (on one cluster or two) the way a restore check needs: every table's
// row count and an order-independent content hash, every sequence's position, and the
// definitions of views, indexes, constraints (keys, foreign keys, checks; whether validated)
// and functions. Objects owned by extensions are left out.
//
// The content hash sums the md5 of each row's text as two 64-bit halves (a multiset hash), so
// neither row order nor table size matters: a string_agg of a large table would hit
// PostgreSQL's 1 GB limit on one value.

/** What compareDatabases needs from a cluster: PgCluster has it. */
export interface Queryable {
  query<T = Record<string, unknown>>(db: string, sql: string, params?: unknown[]): Promise<T[]>;
}

export interface DbRef {
  cluster: Queryable;
  db: string;
}

/** One object that differs: `a`/`b` describe it on each side, null where it is missing. */
export interface DbDifference {
  object: string;
  a: string | null;
  b: string | null;
}

const USER_OBJECT = `n.nspname <> 'information_schema' AND n.nspname !~ '^pg_'`;
const NOT_EXTENSION = (catalog: string, oid: string): string =>
  `NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = '${catalog}'::regclass AND d.objid = ${oid} AND d.deptype = 'e')`;

const RELATIONS_SQL = `
SELECT c.relkind AS kind, quote_ident(n.nspname) || '.' || quote_ident(c.relname) AS name,
       CASE WHEN c.relkind IN ('v', 'm') THEN md5(pg_get_viewdef(c.oid))
            WHEN c.relkind IN ('i', 'I') THEN md5(pg_get_indexdef(c.oid)) END AS def
FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE ${USER_OBJECT} AND c.relkind IN ('r', 'p', 'v', 'm', 'S', 'i', 'I', 'f') AND ${NOT_EXTENSION('pg_class', 'c.oid')}`;

const FUNCTIONS_SQL = `
SELECT p.oid::regprocedure::text AS name, md5(pg_get_functiondef(p.oid)) AS def
FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
WHERE ${USER_OBJECT} AND p.prokind IN ('f', 'p') AND ${NOT_EXTENSION('pg_proc', 'p.oid')}`;

const CONSTRAINTS_SQL = `
SELECT coalesce(nullif(c.conrelid, 0)::regclass::text, 'domain ' || c.contypid::regtype::text) || ' ' || quote_ident(c.conname) AS name,
       md5(pg_get_constraintdef(c.oid)) AS def, c.convalidated AS valid
FROM pg_constraint c JOIN pg_namespace n ON n.oid = c.connamespace
WHERE ${USER_OBJECT} AND ${NOT_EXTENSION('pg_constraint', 'c.oid')}
  AND (c.conrelid = 0 OR ${NOT_EXTENSION('pg_class', 'c.conrelid')})`;

const KIND_NAMES: Record<string, string> = {
  r: 'table', p: 'partitioned table', v: 'view', m: 'materialized view', S: 'sequence', i: 'index', I: 'partitioned index', f: 'foreign table',
};

/** Every user object of `db` mapped to a description that is equal exactly when the object is. */
export async function describeDatabase(cluster: Queryable, db: string): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  const rels = await cluster.query<{ kind: string; name: string; def: string | null }>(db, RELATIONS_SQL);
  for (const rel of rels) {
    const key = `${KIND_NAMES[rel.kind] ?? rel.kind} ${rel.name}`;
    if (rel.kind === 'r') {
      const [row] = await cluster.query<{ n: string; h1: string; h2: string }>(
        db,
        `SELECT count(*) AS n,
                coalesce(sum(('x' || substr(h, 1, 16))::bit(64)::bigint::numeric), 0) AS h1,
                coalesce(sum(('x' || substr(h, 17, 16))::bit(64)::bigint::numeric), 0) AS h2
         FROM (SELECT md5(t::text) AS h FROM ONLY ${rel.name} t) q`,
      );
      out.set(key, `rows=${row?.n} hash=${row?.h1}/${row?.h2}`);
    } else if (rel.kind === 'S') {
      const [row] = await cluster.query<{ last_value: string; is_called: boolean }>(db, `SELECT last_value, is_called FROM ${rel.name}`);
      out.set(key, `last_value=${row?.last_value} is_called=${row?.is_called}`);
    } else {
      out.set(key, rel.def ? `definition ${rel.def}` : 'present');
    }
  }
  for (const con of await cluster.query<{ name: string; def: string; valid: boolean }>(db, CONSTRAINTS_SQL)) {
    out.set(`constraint ${con.name}`, `definition ${con.def} validated=${con.valid}`);
  }
  for (const fn of await cluster.query<{ name: string; def: string }>(db, FUNCTIONS_SQL)) {
    out.set(`function ${fn.name}`, `definition ${fn.def}`);
  }
  return out;
}

/** The objects that differ between the two databases, sorted by name; empty when they are equal. */
export async function compareDatabases(a: DbRef, b: DbRef): Promise<DbDifference[]> {
  const [da, dbb] = await Promise.all([describeDatabase(a.cluster, a.db), describeDatabase(b.cluster, b.db)]);
  const names = [...new Set([...da.keys(), ...dbb.keys()])].sort();
  const diffs: DbDifference[] = [];
  for (const object of names) {
    const va = da.get(object) ?? null;
    const vb = dbb.get(object) ?? null;
    if (va !== vb) diffs.push({ object, a: va, b: vb });
  }
  return diffs;
}

// Owners and privileges: every user relation, schema and function with its owner and ACL (the
// aclitems sorted, so their order does not matter), and the default privileges. Kept apart from
// describeDatabase: a restore with --no-owner or into a server without some roles differs here
// on purpose. Grants to the roles in $1 are left out (a restore into a server without them).
const aclText = (expr: string): string =>
  `(SELECT string_agg(a::text, ' ' ORDER BY a::text) FROM unnest(${expr}) a WHERE NOT split_part(a::text, '=', 1) = ANY($1::text[]))`;
const PRIVILEGES_SQL = `
SELECT 'relation ' || quote_ident(n.nspname) || '.' || quote_ident(c.relname) AS object,
       pg_get_userbyid(c.relowner) AS owner, ${aclText('c.relacl')} AS acl,
       (SELECT string_agg(quote_ident(att.attname) || ':' || ${aclText('att.attacl')}, ' ' ORDER BY att.attname)
          FROM pg_attribute att WHERE att.attrelid = c.oid AND att.attacl IS NOT NULL) AS column_acl
FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE ${USER_OBJECT} AND c.relkind IN ('r', 'p', 'v', 'm', 'S', 'f') AND ${NOT_EXTENSION('pg_class', 'c.oid')}
UNION ALL
SELECT 'schema ' || quote_ident(n.nspname), pg_get_userbyid(n.nspowner), ${aclText('n.nspacl')}, NULL
FROM pg_namespace n WHERE ${USER_OBJECT} AND ${NOT_EXTENSION('pg_namespace', 'n.oid')}
UNION ALL
SELECT 'function ' || p.oid::regprocedure::text, pg_get_userbyid(p.proowner), ${aclText('p.proacl')}, NULL
FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
WHERE ${USER_OBJECT} AND ${NOT_EXTENSION('pg_proc', 'p.oid')}
UNION ALL
SELECT 'default privileges of ' || pg_get_userbyid(d.defaclrole) || ' in ' || coalesce(quote_ident(n.nspname), 'the database') || ' on ' || d.defaclobjtype::text,
       NULL, ${aclText('d.defaclacl')}, NULL
FROM pg_default_acl d LEFT JOIN pg_namespace n ON n.oid = d.defaclnamespace`;

/** Every user object's owner and privileges, as `owner=… acl=… columns=…`; grants to `ignoreRoles` left out. */
export async function describePrivileges(cluster: Queryable, db: string, ignoreRoles: string[] = []): Promise<Map<string, string>> {
  const rows = await cluster.query<{ object: string; owner: string | null; acl: string | null; column_acl: string | null }>(db, PRIVILEGES_SQL, [ignoreRoles]);
  return new Map(rows.filter((r) => r.owner !== null || r.acl !== null).map((r) => [r.object, `owner=${r.owner ?? '-'} acl=${r.acl ?? '-'} columns=${r.column_acl ?? '-'}`]));
}

/** The objects whose owner or privileges differ, sorted by name; empty when they are equal. Grants to `ignoreRoles` are left out. */
export async function comparePrivileges(a: DbRef, b: DbRef, ignoreRoles: string[] = []): Promise<DbDifference[]> {
  const [da, dbb] = await Promise.all([describePrivileges(a.cluster, a.db, ignoreRoles), describePrivileges(b.cluster, b.db, ignoreRoles)]);
  return [...new Set([...da.keys(), ...dbb.keys()])]
    .sort()
    .map((object) => ({ object, a: da.get(object) ?? null, b: dbb.get(object) ?? null }))
    .filter((d) => d.a !== d.b);
}
