// Compares two databases (on one cluster or two) the way a restore check needs: every table's
// row count and an order-independent content hash, every sequence's position, and the
// definitions of views, indexes and functions. Objects owned by extensions are left out.
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
