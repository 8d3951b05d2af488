// `dpvault account show`: the subscription this installation runs as and who is signed in, shaped
// as `az account show`.
import { defineCommand } from '../../command.ts';
import { accountsOf } from '../login/index.ts';

export const accountShow = defineCommand({
  path: ['account', 'show'],
  summary: 'Get the details of the subscription the service runs as, and the signed-in principal.',
  args: {},
  async run(_a, ctx) {
    const [first] = await accountsOf(ctx);
    const { cloudName: _c, ...account } = first!;
    return { environmentName: 'dpvault', ...account };
  },
});
