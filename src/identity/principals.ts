// Service principals: who can sign in (an Application, with password credentials) and who is
// named by role assignments and key vault access policies (an Application, or a backup vault's
// system-assigned ManagedIdentity, which has no credentials and cannot sign in). Catalog
// resources of type Microsoft.Graph/servicePrincipals, id `/servicePrincipals/{objectId}`, body
// shaped as Microsoft Graph's servicePrincipal (`id` is the object id). Secrets are kept hashed
// (secret-hash.ts) and never leave this module: `shownPrincipal` is what any answer shows.
import { errors } from '../domain/errors.ts';
import type { ServiceContext } from '../services/context.ts';
import { newGuid } from '../util/ids.ts';
import { hashSecret, newClientSecret, secretMatches } from './secret-hash.ts';

export const SERVICE_PRINCIPAL_TYPE = 'Microsoft.Graph/servicePrincipals';

export type ServicePrincipalKind = 'Application' | 'ManagedIdentity';

interface StoredCredential {
  keyId: string;
  displayName: string | null;
  startDateTime: string;
  /** The first three characters of the secret, as Graph shows them. */
  hint: string;
  secretHash: string;
}

export interface ServicePrincipal {
  id: string;
  appId: string;
  displayName: string;
  servicePrincipalType: ServicePrincipalKind;
  appOwnerOrganizationId: string;
  createdDateTime: string;
  /** For a managed identity: the resource it belongs to (a backup vault's id). */
  alternativeNames: string[];
  passwordCredentials: StoredCredential[];
}

/** What the API answers with: the credentials without their hashes. */
export type ShownPrincipal = Omit<ServicePrincipal, 'passwordCredentials'> & { passwordCredentials: Omit<StoredCredential, 'secretHash'>[] };

export const principalResourceId = (objectId: string): string => `/servicePrincipals/${objectId}`;

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function shownPrincipal(p: ServicePrincipal): ShownPrincipal {
  return { ...p, passwordCredentials: p.passwordCredentials.map(({ secretHash: _hidden, ...shown }) => shown) };
}

/** A new Application principal and its first secret (returned once, stored only hashed). */
export async function createApplicationPrincipal(ctx: ServiceContext, displayName: string): Promise<{ principal: ServicePrincipal; password: string }> {
  checkDisplayName(displayName);
  const password = newClientSecret();
  const principal: ServicePrincipal = {
    ...newPrincipal(ctx, displayName, 'Application'),
    passwordCredentials: [await credential(ctx, password)],
  };
  await store(ctx, principal);
  return { principal, password };
}

/** Registers a backup vault's system-assigned identity (its `principalId`) as a principal that cannot sign in. */
export async function registerManagedIdentity(ctx: ServiceContext, objectId: string, displayName: string, resourceId: string): Promise<void> {
  if (await findPrincipal(ctx, objectId)) return;
  await store(ctx, { ...newPrincipal(ctx, displayName, 'ManagedIdentity'), id: objectId.toLowerCase(), alternativeNames: [resourceId] });
}

/** Forgets a managed identity (its vault is gone); an Application of that id is left alone. */
export async function removeManagedIdentity(ctx: ServiceContext, objectId: string): Promise<void> {
  const p = await findPrincipal(ctx, objectId);
  if (p?.servicePrincipalType === 'ManagedIdentity' && p.id === objectId.toLowerCase()) await ctx.catalog.deleteResource(principalResourceId(p.id));
}

export async function listPrincipals(ctx: ServiceContext): Promise<ServicePrincipal[]> {
  return (await ctx.catalog.listResources<ServicePrincipal>({ type: SERVICE_PRINCIPAL_TYPE })).items.map((r) => r.body);
}

/** By object id or application id (as `az ad sp show --id` takes either). */
export async function findPrincipal(ctx: ServiceContext, id: string): Promise<ServicePrincipal | undefined> {
  if (!GUID.test(id)) return undefined;
  const byObjectId = await ctx.catalog.getResource<ServicePrincipal>(principalResourceId(id.toLowerCase()));
  if (byObjectId) return byObjectId.body;
  return (await listPrincipals(ctx)).find((p) => p.appId.toLowerCase() === id.toLowerCase());
}

export async function getPrincipal(ctx: ServiceContext, id: string): Promise<ServicePrincipal> {
  const found = await findPrincipal(ctx, id);
  if (!found) throw errors.principalNotFound(id);
  return found;
}

export async function deletePrincipal(ctx: ServiceContext, id: string): Promise<void> {
  const p = await getPrincipal(ctx, id);
  await ctx.catalog.deleteResource(principalResourceId(p.id));
}

/** Replaces every password of an Application with a new one, returned once. */
export async function resetPrincipalCredential(ctx: ServiceContext, id: string): Promise<{ principal: ServicePrincipal; password: string }> {
  const p = await getPrincipal(ctx, id);
  if (p.servicePrincipalType !== 'Application') throw errors.managedIdentityCredentials(id);
  const password = newClientSecret();
  const principal = { ...p, passwordCredentials: [await credential(ctx, password)] };
  await store(ctx, principal);
  return { principal, password };
}

/** The Application whose id and secret these are, or undefined (unknown id, wrong secret, or one that cannot sign in). */
export async function principalForCredentials(ctx: ServiceContext, appId: string, secret: string): Promise<ServicePrincipal | undefined> {
  const p = await findPrincipal(ctx, appId);
  const candidate = p && p.appId.toLowerCase() === appId.toLowerCase() && p.servicePrincipalType === 'Application' ? p : undefined;
  const hashes = candidate?.passwordCredentials.map((c) => c.secretHash) ?? [undefined];
  let matched = false;
  for (const h of hashes) if (await secretMatches(secret, h)) matched = true;
  return matched ? candidate : undefined;
}

function newPrincipal(ctx: ServiceContext, displayName: string, kind: ServicePrincipalKind): ServicePrincipal {
  return {
    id: newGuid(),
    appId: newGuid(),
    displayName,
    servicePrincipalType: kind,
    appOwnerOrganizationId: ctx.tenantId,
    createdDateTime: ctx.clock.now().toISOString(),
    alternativeNames: [],
    passwordCredentials: [],
  };
}

async function credential(ctx: ServiceContext, password: string): Promise<StoredCredential> {
  return { keyId: newGuid(), displayName: 'rbac', startDateTime: ctx.clock.now().toISOString(), hint: password.slice(0, 3), secretHash: await hashSecret(password) };
}

function checkDisplayName(name: string): void {
  if (typeof name !== 'string' || !name.trim() || name.length > 120 || [...name].some((c) => c.charCodeAt(0) < 0x20)) {
    throw errors.principalRequestInvalid('displayName must be 1 to 120 characters, without control characters.', 'displayName');
  }
}

async function store(ctx: ServiceContext, p: ServicePrincipal): Promise<void> {
  await ctx.catalog.putResource({ id: principalResourceId(p.id), type: SERVICE_PRINCIPAL_TYPE, parentId: null, body: p as unknown as Record<string, unknown> });
}
