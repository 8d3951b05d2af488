// The restoreCriteria of an item-level restore (ItemLevelRestoreTargetInfo): Azure's
// ItemPathBasedRestoreCriteria, one table each, `itemPath` SCHEMA.TABLE relative to the backed-up
// database, with an optional `renameTo` SCHEMA.NEWNAME. Every problem of the list is reported at
// once, in one error naming each.
import { field } from './backup-instance.ts';
import { errors } from './errors.ts';
import { formatTableName, parseTableName, sameTable, type TableName } from './item-path.ts';

export interface RestoreItem {
  /** The table in the recovery point. */
  table: TableName;
  /** Its name in the target database: `renameTo`, or the same name. */
  restoreAs: TableName;
}

const CRITERIA = 'ItemPathBasedRestoreCriteria';
const TARGET = 'restoreTargetInfo.restoreCriteria';

/** The items the criteria name; a 400 listing every bad one otherwise. */
export function readRestoreItems(value: unknown): RestoreItem[] {
  if (!Array.isArray(value) || value.length === 0) {
    throw errors.requestParameterInvalid(`${TARGET} must list at least one ${CRITERIA} (itemPath SCHEMA.TABLE).`, TARGET);
  }
  const problems: string[] = [];
  const items: RestoreItem[] = [];
  value.forEach((c: unknown, i) => {
    const at = `${TARGET}[${i}]`;
    const type = field(c, 'objectType');
    if (String(type ?? '').toLowerCase() !== CRITERIA.toLowerCase()) {
      problems.push(`${at}.objectType must be ${CRITERIA}; got ${JSON.stringify(type ?? null)}.`);
      return;
    }
    const relative = field(c, 'isPathRelativeToBackupItem');
    if (relative === false || relative === 'false') {
      problems.push(`${at}.isPathRelativeToBackupItem must be true: an itemPath names a table of the backed-up database (name the database of a whole-server point with sourceDatabaseName).`);
    }
    const prefix = field(c, 'subItemPathPrefix');
    if (prefix !== undefined && prefix !== null && !(Array.isArray(prefix) && prefix.length === 0)) {
      problems.push(`${at}.subItemPathPrefix is not supported for PostgreSQL: a table is restored whole.`);
    }
    const path = field(c, 'itemPath');
    const table = typeof path === 'string' ? parseTableName(path) : `itemPath is required (SCHEMA.TABLE).`;
    if (typeof table === 'string') problems.push(`${at}: ${table}`);
    const rename = field(c, 'renameTo');
    let restoreAs: TableName | string | null = null;
    if (rename !== undefined && rename !== null) restoreAs = typeof rename === 'string' ? parseTableName(rename) : 'renameTo must be a string (SCHEMA.NEWNAME).';
    if (typeof restoreAs === 'string') problems.push(`${at}.renameTo: ${restoreAs}`);
    if (typeof table !== 'string' && typeof restoreAs !== 'string') items.push({ table, restoreAs: restoreAs ?? table });
  });
  if (problems.length === 0) problems.push(...duplicates(items));
  if (problems.length) throw errors.restoreItemsInvalid(`The items to restore are not valid:\n- ${problems.join('\n- ')}`, TARGET);
  return items;
}

/** Tables named twice, or two items restored under one name. */
function duplicates(items: RestoreItem[]): string[] {
  const out: string[] = [];
  items.forEach((a, i) => {
    const j = items.findIndex((b) => sameTable(a.table, b.table));
    if (j < i) out.push(`${formatTableName(a.table)} is listed twice.`);
    const k = items.findIndex((b) => sameTable(a.restoreAs, b.restoreAs));
    if (k < i) out.push(`${formatTableName(items[k]!.table)} and ${formatTableName(a.table)} would both be restored as ${formatTableName(a.restoreAs)}.`);
  });
  return out;
}

/** `a.b` or `a.b as c.d`, for messages and job details. */
export function describeItem(item: RestoreItem): string {
  const from = formatTableName(item.table);
  return sameTable(item.table, item.restoreAs) ? from : `${from} as ${formatTableName(item.restoreAs)}`;
}
