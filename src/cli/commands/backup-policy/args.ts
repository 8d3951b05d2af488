// Options shared by the backup-policy commands: the policy's vault and name, and the `--policy` JSON
// that the client-side editors read.
import type { ArgSpec } from '../../command.ts';

export const vaultArgs = {
  resourceGroup: { names: ['--resource-group', '-g'], required: true, help: 'Name of resource group.' },
  vaultName: { names: ['--vault-name', '-v'], required: true, help: 'The name of the backup vault.' },
} satisfies Record<string, ArgSpec>;

export const policyIdArgs = {
  ...vaultArgs,
  name: { names: ['--backup-policy-name', '--name', '-n'], required: true, help: 'Name of the policy.' },
} satisfies Record<string, ArgSpec>;

export const policyJsonArg = {
  policy: { names: ['--policy'], required: true, type: 'json', help: 'Policy JSON string or file.' },
} satisfies Record<string, ArgSpec>;
