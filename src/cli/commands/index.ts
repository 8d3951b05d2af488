// The list of every CLI command, in one place.
import type { Command } from '../command.ts';
import { accountShow } from './account/show.ts';
import { backupPolicyCommands } from './backup-policy/index.ts';
import { backupVaultCommands } from './backup-vault/index.ts';
import { groupCommands } from './group/index.ts';
import { serverCommand } from './server.ts';

export const ALL_COMMANDS: Command[] = [serverCommand, accountShow, ...groupCommands, ...backupVaultCommands, ...backupPolicyCommands];
