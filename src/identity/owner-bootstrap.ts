// The Owner: on a fresh data directory, the first start makes an Application principal that holds
// Owner over every subscription (scope `/`), and writes its credentials to
// <data-dir>/owner-credentials.json (mode 0600, the fields `ad sp create-for-rbac` prints), where
// the CLI on the same machine finds them. It is made once: the setting `ownerObjectId` remembers
// it, so deleting the file does not make a second Owner. Its secret is never logged. On a catalog
// several servers share, the check and the making are one catalog transaction (writers run one at
// a time), so servers starting together make one Owner, and only the one that made it has the file.
import { join } from 'node:path';
import { roleAssignmentRecord } from '../domain/role-assignment.ts';
import type { ServiceContext } from '../services/context.ts';
import { newGuid } from '../util/ids.ts';
import { writePrivateFile } from '../util/private-file.ts';
import { createApplicationPrincipal } from './principals.ts';

export const OWNER_CREDENTIALS_FILE = 'owner-credentials.json';
export const OWNER_DISPLAY_NAME = 'dpvault-owner';
const OWNER_SETTING = 'ownerObjectId';

/** Makes the Owner when the installation has none yet; returns whether it made one. */
export async function ensureOwner(ctx: ServiceContext): Promise<boolean> {
  if (await ctx.catalog.getSetting(OWNER_SETTING)) return false;
  return ctx.catalog.transaction(async () => (await ctx.catalog.getSetting(OWNER_SETTING) ? false : makeOwner(ctx)));
}

async function makeOwner(ctx: ServiceContext): Promise<boolean> {
  const { principal, password } = await createApplicationPrincipal(ctx, OWNER_DISPLAY_NAME);
  const assignment = roleAssignmentRecord({ scope: '/', principalId: principal.id, role: 'Owner', name: newGuid(), createdOn: ctx.clock.now().toISOString() });
  await ctx.catalog.putResource({ ...assignment, body: { ...assignment.body } });
  const credentials = { appId: principal.appId, displayName: principal.displayName, password, tenant: ctx.tenantId };
  writePrivateFile(join(ctx.dataDir, OWNER_CREDENTIALS_FILE), `${JSON.stringify(credentials, null, 2)}\n`);
  await ctx.catalog.setSetting(OWNER_SETTING, principal.id);
  return true;
}
