// The SQL both catalogs (sqlite.ts, postgres.ts) share: the WHERE clauses of a resource listing
// and of an audit query, and a stored row as a resource. Pure: a clause is built with the caller's
// placeholder function (`?` for SQLite, `$n` for PostgreSQL), which also collects the arguments.
import type { AuditQuery } from '../domain/audit.ts';
import { resourceKey } from '../domain/resource-id.ts';
import type { ListQuery, StoredResource } from './catalog.ts';

/** Records `value` as the next argument and returns its placeholder. */
export type Placeholder = (value: string | number) => string;

export interface ResourceRow {
  key: string;
  id: string;
  type: string;
  parent_id: string | null;
  body: string;
  created_at: string;
  updated_at: string;
}

/** Resources matching a listing's type, parent, id prefix and continuation (`after`, a seq). */
export function resourceWhere(q: Omit<ListQuery, 'limit'>, ph: Placeholder): string {
  const clauses = ['1 = 1'];
  if (q.type !== undefined) clauses.push(`type = ${ph(q.type.toLowerCase())}`);
  if (q.parentId !== undefined) clauses.push(`parent_key = ${ph(resourceKey(q.parentId))}`);
  if (q.idPrefix !== undefined) {
    const p = q.idPrefix.toLowerCase();
    clauses.push(`substr(key, 1, ${ph(p.length)}) = ${ph(p)}`);
  }
  if (q.after !== undefined) clauses.push(`seq > ${ph(Number(q.after))}`);
  return clauses.join(' AND ');
}

/** Audit entries matching a query's scope (whole segments), time bounds and caller; '' for all. */
export function auditWhere(q: AuditQuery, ph: Placeholder): string {
  const where: string[] = [];
  if (q.scopePrefix) {
    // A prefix of whole segments: the group 'rg' does not take in 'rg2'.
    const key = resourceKey(q.scopePrefix).replace(/\/+$/, '');
    where.push(`(scope_key = ${ph(key)} OR substr(scope_key, 1, ${ph(key.length + 1)}) = ${ph(`${key}/`)})`);
  }
  if (q.from) where.push(`event_timestamp >= ${ph(q.from)}`);
  if (q.to) where.push(`event_timestamp <= ${ph(q.to)}`);
  if (q.caller) {
    const caller = q.caller.toLowerCase();
    where.push(`(caller_key = ${ph(caller)} OR caller_name_key = ${ph(caller)})`);
  }
  return where.length ? `WHERE ${where.join(' AND ')}` : '';
}

/** A page of `limit` rows out of the `limit + 1` fetched: the extra one tells that more follow. */
export function pageOf<R extends { seq: number | string }, T>(rows: R[], limit: number | undefined, map: (r: R) => T): { items: T[]; next?: string } {
  const shown = limit === undefined ? rows : rows.slice(0, limit);
  const page: { items: T[]; next?: string } = { items: shown.map(map) };
  if (limit !== undefined && rows.length > limit) page.next = String(shown[shown.length - 1]!.seq);
  return page;
}

export function toResource<B>(row: ResourceRow): StoredResource<B> {
  return {
    id: row.id,
    type: row.type,
    parentId: row.parent_id,
    body: JSON.parse(row.body) as B,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

/** The arguments of a resource's upsert, in column order (key, id, type, parent_key, parent_id, body, created_at, updated_at). */
export function resourceColumns(r: StoredResource, now: string): (string | null)[] {
  return [resourceKey(r.id), r.id, r.type.toLowerCase(), r.parentId ? resourceKey(r.parentId) : null, r.parentId, JSON.stringify(r.body), r.createdAt ?? now, now];
}

/**
 * Takes lease n1 for holder n2 until n4 when nobody holds it, its lease ended before n3, or n2
 * holds it already: one statement, so two takers never both win. Returns a row when taken.
 * `n` writes the numbered placeholder (`?1` for SQLite, `$1` for PostgreSQL).
 */
export function acquireLeaseSql(table: string, n: (i: number) => string): string {
  return `INSERT INTO ${table} (name, holder, lease_until) VALUES (${n(1)}, ${n(2)}, ${n(4)})
    ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, lease_until = excluded.lease_until
    WHERE ${table}.lease_until < ${n(3)} OR ${table}.holder = excluded.holder
    RETURNING holder`;
}
