// Which entries of a recovery point's TOC an item-level restore loads into its staging database.
// Pure: the TOC and the tables in, a pg_restore `-L` list and a TOC rewrite out.
// - A table's own entries: its TABLE and TABLE DATA, its indexes, constraints, defaults,
//   triggers, policies, rules and statistics (entries that depend on the table; those whose tag
//   is `<table> <name>` must name it, since a foreign key of another table depends on the table it
//   references too), its owned and identity sequences (pg_dump makes them depend on the table),
//   then what hangs on any of those: comments, grants (ACL), SEQUENCE OWNED BY, SEQUENCE SET.
// - Everything those need, followed through the dependencies (schemas, types, functions, and for
//   a foreign key the table and key it references, without their rows).
// - A foreign key to a table that is not restored is loaded NOT VALID (that table is empty in the
//   staging database); item-restore.ts takes it out there and adds it in the target, validated,
//   when the referenced table exists there.
import { SECTION, type ArchiveHead, type TocEntry } from './archive-toc.ts';
import type { TableName } from '../../domain/item-path.ts';

/** Entries of a table whose tag is `<table> <name>` (or the table's name). */
const TAGGED_BY_TABLE = new Set(['CONSTRAINT', 'CHECK CONSTRAINT', 'FK CONSTRAINT', 'DEFAULT', 'TRIGGER', 'POLICY', 'RULE', 'ROW SECURITY', 'TABLE DATA']);
/** Other entries that belong to the table they depend on. */
const OF_TABLE = new Set(['INDEX', 'SEQUENCE', 'STATISTICS', 'INDEX ATTACH']);
/** Entries that belong to whatever entry they depend on. */
const ATTACHED = new Set(['COMMENT', 'ACL', 'SECURITY LABEL', 'SEQUENCE OWNED BY', 'SEQUENCE SET']);

export interface ExternalForeignKey {
  dumpId: number;
  /** The table of the recovery point the key belongs to. */
  table: TableName;
  /** The constraint's name in the recovery point. */
  name: string;
  /** The key was valid in the backup (it was made NOT VALID for the staging database only). */
  wasValid: boolean;
}

export interface ItemSelection {
  /** Tables asked for that the TOC does not hold. */
  missing: TableName[];
  /** Tables asked for that are partitioned (their rows live in their partitions): not supported. */
  partitioned: TableName[];
  /** The dump ids to restore into the staging database, in archive order. */
  ids: number[];
  /** Foreign keys of restored tables to tables not restored. */
  externalForeignKeys: ExternalForeignKey[];
}

/** The tables (and partitioned tables) of a TOC. */
export function tablesOf(entries: readonly TocEntry[]): TableName[] {
  return entries.filter((e) => e.desc === 'TABLE' && e.namespace !== null && e.tag !== null).map((e) => ({ schema: e.namespace!, table: e.tag! }));
}

function tableEntry(entries: readonly TocEntry[], t: TableName): TocEntry | undefined {
  return entries.find((e) => e.desc === 'TABLE' && e.namespace === t.schema && e.tag === t.table);
}

export function selectItems(entries: readonly TocEntry[], tables: readonly TableName[]): ItemSelection {
  const missing = tables.filter((t) => !tableEntry(entries, t));
  const chosen = new Map<number, TableName>();
  for (const t of tables) {
    const e = tableEntry(entries, t);
    if (e) chosen.set(e.dumpId, t);
  }
  // A partition is attached by a TABLE ATTACH entry (tag: the partition) that depends on its parent.
  const partitioned = [...chosen].filter(([id, t]) => entries.some((e) => e.desc === 'TABLE ATTACH' && e.deps.includes(id) && e.tag !== t.table)).map(([, t]) => t);
  const owned = new Set<number>(chosen.keys());
  const ownerOf = (e: TocEntry): TableName | undefined => {
    if (!e.desc || !(TAGGED_BY_TABLE.has(e.desc) || OF_TABLE.has(e.desc))) return undefined;
    for (const d of e.deps) {
      const t = chosen.get(d);
      if (!t) continue;
      if (OF_TABLE.has(e.desc)) return t;
      if (e.namespace === t.schema && (e.tag === t.table || e.tag?.startsWith(`${t.table} `))) return t;
    }
    return undefined;
  };
  const externalForeignKeys: ExternalForeignKey[] = [];
  const byId = new Map(entries.map((e) => [e.dumpId, e]));
  for (const e of entries) {
    const t = ownerOf(e);
    if (!t) continue;
    owned.add(e.dumpId);
    if (e.desc === 'FK CONSTRAINT') {
      const refersOut = e.deps.some((d) => byId.get(d)?.desc === 'TABLE' && !chosen.has(d));
      if (refersOut) externalForeignKeys.push({ dumpId: e.dumpId, table: t, name: e.tag!.slice(t.table.length + 1), wasValid: !/NOT VALID;\s*$/.test(e.defn ?? '') });
    }
  }
  // Comments, grants and sequence settings of what is owned, and of those in turn.
  for (let grew = true; grew; ) {
    grew = false;
    for (const e of entries) {
      if (!owned.has(e.dumpId) && e.desc && ATTACHED.has(e.desc) && e.deps.some((d) => owned.has(d))) {
        owned.add(e.dumpId);
        grew = true;
      }
    }
  }
  // What the owned entries need, without the rows of tables only needed for their structure.
  const needed = new Set(owned);
  const stack = [...owned];
  while (stack.length) {
    for (const d of byId.get(stack.pop()!)?.deps ?? []) {
      if (!needed.has(d) && byId.has(d)) {
        needed.add(d);
        stack.push(d);
      }
    }
  }
  const ids = entries.filter((e) => needed.has(e.dumpId) && !(e.section === SECTION.data && !owned.has(e.dumpId))).map((e) => e.dumpId);
  return { missing, partitioned, ids, externalForeignKeys };
}

/** The TOC with each external foreign key made NOT VALID, for the staging database. */
export function withExternalKeysNotValid(head: ArchiveHead, keys: readonly ExternalForeignKey[]): ArchiveHead {
  const ids = new Set(keys.filter((k) => k.wasValid).map((k) => k.dumpId));
  return {
    header: head.header,
    entries: head.entries.map((e) => (ids.has(e.dumpId) && e.defn ? { ...e, defn: e.defn.replace(/;\s*$/, ' NOT VALID;\n'), raw: undefined } : e)),
  };
}

