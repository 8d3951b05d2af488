// Multi-user authorization, the check: a vault mapped to a resource guard performs a critical
// operation (domain/resource-guard.ts) only for a caller who also holds, over the guard, a role
// allowing the operation's request action, unless the guard excludes the operation. Asked by the
// vault updates that lower security, a policy update that shortens retention (services/policies.ts), the instance delete and the mapping's removal,
// before anything is stored; a refusal is an error answer, so the audit log records it.
import { errors } from '../domain/errors.ts';
import {
  type CriticalOperationName, RESOURCE_GUARD_TYPE, type ResourceGuard, criticalOperation, excluded, guardAction, securityReductions,
} from '../domain/resource-guard.ts';
import type { BackupVault } from '../domain/vault.ts';
import type { CallerContext } from '../services/caller.ts';
import { mappingOf } from '../services/resource-guards.ts';
import { demand, mayPerform } from './access.ts';

/**
 * Refuses a critical operation on a vault mapped to a guard unless the guard excludes it or the
 * caller holds a role allowing its request action over the guard. A vault with no mapping is not guarded.
 */
export async function demandGuardApproval(ctx: CallerContext, vault: BackupVault, name: CriticalOperationName): Promise<void> {
  const mapping = await mappingOf(ctx, vault);
  if (!mapping) return;
  const guard = (await ctx.catalog.getResource<ResourceGuard>(mapping.properties.resourceGuardResourceId))?.body;
  if (!guard) return;
  const op = criticalOperation(name);
  if (excluded(guard, op)) return;
  const action = guardAction(op);
  if (await mayPerform(ctx, ctx.caller, action, guard.id)) return;
  const who = ctx.caller.kind === 'principal' ? ctx.caller.objectId : ctx.caller.name;
  throw errors.resourceGuardPermissionMissing(who, op.vaultCriticalOperation, op.description, guard.id, action);
}

/** Mapping a vault to a guard needs read access over the guard, as Azure asks (Reader there at least). */
export async function demandGuardRead(ctx: CallerContext, guard: ResourceGuard): Promise<void> {
  await demand(ctx, ctx.caller, `${RESOURCE_GUARD_TYPE}/read`, guard.id);
}

/** Before a vault update is saved: the guard approves each security setting it lowers. */
export async function guardVaultUpdate(ctx: CallerContext, next: BackupVault): Promise<void> {
  const current = (await ctx.catalog.getResource<BackupVault>(next.id))?.body;
  if (!current) return;
  for (const op of securityReductions(current.properties.securitySettings, next.properties.securitySettings)) await demandGuardApproval(ctx, current, op);
}
