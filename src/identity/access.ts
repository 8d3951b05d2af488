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
  return (await grantsOf(ctx, caller, action)).some((s) => scopeCovers(s, scope));
}

/** The scopes over which a principal holds a role allowing `action`. */
async function grantsOf(ctx: ServiceContext, caller: Caller & { kind: 'principal' }, action: string): Promise<string[]> {
  return (await assignmentsOf(ctx, caller.objectId)).filter((a) => {
    const role = roleOf(a);
    return role !== undefined && roleAllows(role, action);
  }).map((a) => a.properties.scope);
}

/**
 * For a list over `scope` (Azure filters lists by what the caller may read): undefined when the
 * caller may perform the action over all of it; else the scopes under it where it may, which the
 * list is cut down to; an empty list means none (refused).
 */
export async function partialGrants(ctx: ServiceContext, caller: Caller, action: string, scope: string): Promise<string[] | undefined> {
  if (caller.kind === 'operator') return undefined;
  const grants = await grantsOf(ctx, caller, action);
  if (grants.some((s) => scopeCovers(s, scope))) return undefined;
  return grants.filter((s) => scopeCovers(scope, s));
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
