// `dpvault account show`: the subscription this installation runs as, shaped as `az account show`.
import { defineCommand } from '../../command.ts';

export const accountShow = defineCommand({
  path: ['account', 'show'],
  summary: 'Get the details of the subscription the service runs as.',
  args: {},
  async run(_a, ctx) {
    const list = (await ctx.client.get('/subscriptions')) as { value: { subscriptionId: string; tenantId: string; displayName: string; state: string }[] };
    const s = list.value[0]!;
    return {
      environmentName: 'dpvault',
      homeTenantId: s.tenantId,
      id: s.subscriptionId,
      isDefault: true,
      managedByTenants: [],
      name: s.displayName,
      state: s.state,
      tenantId: s.tenantId,
      user: { name: 'local', type: 'user' },
    };
  },
});
