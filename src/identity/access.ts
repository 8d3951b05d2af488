// The authorization question: may this caller perform this action over this scope? The operator
// (in-process calls only) may do everything; a principal may when one of its role assignments,
// over the scope or an ancestor of it, holds a role whose actions allow the action.
import { errors } from '../domain/errors.ts';
import type { Caller } from '../services/caller.ts';
import type { ServiceContext } from '../services/context.ts';
import { assignmentsOf, roleOf } from './role-assignments.ts';
import { roleAllows } from './roles.ts';
import { scopeCovers, subscriptionOf } from './scopes.ts';

export async function mayPerform(ctx: ServiceContext, caller: Caller, action: string, scope: string): Promise<boolean> {
  if (caller.kind === 'operator') return true;
  return (await assignmentsOf(ctx, caller.objectId)).some((a) => {
    const role = roleOf(a);
    return role !== undefined && scopeCovers(a.properties.scope, scope) && roleAllows(role, action);
  });
}

/** Throws Azure's 403 AuthorizationFailed unless the caller may perform the action over the scope. */
export async function demand(ctx: ServiceContext, caller: Caller, action: string, scope: string): Promise<void> {
  if (await mayPerform(ctx, caller, action, scope)) return;
  const who = caller.kind === 'principal' ? caller : { appId: caller.name, objectId: caller.name };
  throw errors.authorizationFailed(who.appId, who.objectId, action, scope);
}

/**
 * Whether `GET /subscriptions` shows the subscription to the caller: the operator always, a
 * principal holding any role at `/` or anywhere in the subscription (az signs in through it).
 */
export async function seesSubscription(ctx: ServiceContext, caller: Caller, subscriptionId: string): Promise<boolean> {
  if (caller.kind === 'operator') return true;
  return (await assignmentsOf(ctx, caller.objectId)).some((a) => {
    const sub = subscriptionOf(a.properties.scope);
    return a.properties.scope === '/' || sub?.toLowerCase() === subscriptionId.toLowerCase();
  });
}
