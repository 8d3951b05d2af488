// `backup-instance list-from-resourcegraph`: backup instances across vaults, filtered as az's
// Resource Graph query filters them (reference §4.8).
import { DATASOURCE_TYPE_VALUES, requireManifest } from '../../../datasources/registry.ts';
import { defineCommand } from '../../command.ts';
import { graphRow, graphScopeArgs, inAny, listAcrossVaults, resourceGroupOf, vaultNameOf } from './resource-graph.ts';

/** Resource Graph answers at most this many rows (az asks for top 1000). */
const TOP = 1000;

export const backupInstanceListFromResourceGraph = defineCommand({
  path: ['backup-instance', 'list-from-resourcegraph'],
  summary: 'List backup instances across subscriptions, resource groups and vaults.',
  args: {
    datasourceType: { names: ['--datasource-type'], enum: DATASOURCE_TYPE_VALUES, help: 'The datasource type.' },
    ...graphScopeArgs,
    protectionStatus: { names: ['--protection-status'], arity: 'many', enum: ['ProtectionConfigured', 'ProtectionError'], help: 'Protection status.' },
    datasourceId: { names: ['--datasource-id'], arity: 'many', help: 'Datasource ids to filter by.' },
    backupInstanceId: { names: ['--backup-instance-id'], arity: 'many', help: 'Backup instance ids to filter by.' },
    backupInstanceName: { names: ['--backup-instance-name'], arity: 'many', help: 'Backup instance names to filter by.' },
  },
  async run(a, ctx) {
    const types = a.datasourceType !== undefined ? [requireManifest(a.datasourceType).datasourceType] : undefined;
    const rows: Record<string, unknown>[] = [];
    for (const listed of await listAcrossVaults(ctx, a.subscriptions as string[] | undefined, 'backupInstances')) {
      for (const bi of listed.items) {
        const p = bi.properties ?? {};
        const info = (p.dataSourceInfo ?? {}) as Record<string, unknown>;
        const vaultName = vaultNameOf(bi.id);
        const protectionState = p.currentProtectionState ?? null;
        const datasourceId = info.resourceID ?? info.resourceId ?? null;
        const keep =
          inAny(info.datasourceType, types) &&
          inAny(resourceGroupOf(bi.id), a.resourceGroups as string[] | undefined) &&
          inAny(vaultName, a.vaults as string[] | undefined) &&
          inAny(protectionState, a.protectionStatus as string[] | undefined) &&
          inAny(datasourceId, a.datasourceId as string[] | undefined) &&
          inAny(bi.id, a.backupInstanceId as string[] | undefined) &&
          inAny(bi.name, a.backupInstanceName as string[] | undefined);
        if (keep) rows.push(graphRow(bi, listed, { vaultName, protectionState, datasourceId }));
      }
    }
    return rows.slice(0, TOP);
  },
});
