// The client-side builder of `restore initialize-for-item-recovery` for PostgreSQL: tables of a
// recovery point into a database, as Azure's ItemLevelRestoreTargetInfo with one
// ItemPathBasedRestoreCriteria per table (snake_case, as az's builders print). Pure.
import { badArgument } from '../domain/errors.ts';
import { formatTableName, parseTableName, type TableName } from '../domain/item-path.ts';
import type { DatasourceManifest } from '../datasources/manifest.ts';
import { authCredentials, datasourceInfo, datasourceSetInfo, restoreSource, targetBasics, type RestoreSourceArgs } from './instance-request.ts';

type Obj = Record<string, unknown>;

export interface ItemRecoveryArgs extends RestoreSourceArgs {
  targetResourceId: string;
  /** SCHEMA.TABLE, one per table. */
  itemList: string[];
  /** SCHEMA.NEWNAME, one per item in the same order, when given. */
  renameTo?: string[];
  /** Which database of the recovery point (needed for a whole-server point). */
  database?: string;
  secretStoreType?: string;
  secretStoreUri?: string;
}

/** `restore initialize-for-item-recovery`: the request restoring the listed tables. */
export function initializeForItemRecovery(args: ItemRecoveryArgs, manifest: DatasourceManifest): Obj {
  if (!manifest.itemLevelRecoveryEnabled) throw badArgument(`Specified DatasourceType ${manifest.name} doesn't support Item Level Recovery`);
  const request = restoreSource(args, manifest);
  const renames = args.renameTo ?? [];
  if (renames.length > 0 && renames.length !== args.itemList.length) {
    throw badArgument(`--rename-to gives ${renames.length} name(s) for ${args.itemList.length} item(s) of --item-list: give one new name per item, in the same order.`);
  }
  const items = args.itemList.map(parseTableName);
  const newNames = renames.map(parseTableName);
  const problems = [
    ...items.filter((t) => typeof t === 'string').map((why) => `--item-list: ${why}`),
    ...newNames.filter((t) => typeof t === 'string').map((why) => `--rename-to: ${why}`),
  ];
  if (problems.length) throw badArgument(problems.join(' '));
  const criteria = (items as TableName[]).map((table, i): Obj => {
    const c: Obj = { object_type: 'ItemPathBasedRestoreCriteria', item_path: formatTableName(table), is_path_relative_to_backup_item: true };
    const to = newNames[i] as TableName | undefined;
    if (to) c.rename_to = formatTableName(to);
    return c;
  });
  const target: Obj = { ...targetBasics('ItemLevelRestoreTargetInfo', args.restoreLocation), restore_criteria: criteria };
  target.datasource_info = datasourceInfo(manifest, args.targetResourceId, args.restoreLocation);
  if (manifest.isProxyResource) target.datasource_set_info = datasourceSetInfo(manifest, args.targetResourceId, args.restoreLocation);
  // The target is a database, reached with a key vault secret, whatever the datasource (a
  // flexible server's own backups use the vault identity instead).
  target.datasource_auth_credentials = authCredentials(args.secretStoreType, args.secretStoreUri);
  if (args.database !== undefined) target.source_database_name = args.database;
  request.restore_target_info = target;
  return request;
}
