// The list of every CLI command, in one place.
import type { Command } from '../command.ts';
import { accountShow } from './account/show.ts';
import { alertCommands } from './alert/index.ts';
import { adSpCommands } from './ad/sp.ts';
import { backupInstanceCommands } from './backup-instance/index.ts';
import { backupPolicyCommands } from './backup-policy/index.ts';
import { backupVaultCommands } from './backup-vault/index.ts';
import { groupCommands } from './group/index.ts';
import { jobCommands } from './job/index.ts';
import { keyVaultCommands } from './keyvault/index.ts';
import { monitorCommands } from './monitor/index.ts';
import { loginCommands } from './login/index.ts';
import { postgresCommands } from './postgres/index.ts';
import { recoveryPointCommands } from './recovery-point/index.ts';
import { resourceGuardCommands } from './resource-guard/index.ts';
import { restoreCommands } from './restore/index.ts';
import { roleCommands } from './role/index.ts';
import { catalogMigrateCommand, rotateMasterKeyCommand, rotateSigningKeyCommand, serverCommand } from './server.ts';
import { workerCommand } from './worker.ts';
import { vaultCommands } from './vault/index.ts';

export const ALL_COMMANDS: Command[] = [serverCommand, workerCommand, rotateMasterKeyCommand, rotateSigningKeyCommand, catalogMigrateCommand, accountShow, ...loginCommands, ...adSpCommands, ...groupCommands, ...backupVaultCommands, ...backupPolicyCommands,
  ...backupInstanceCommands, ...restoreCommands, ...recoveryPointCommands, ...jobCommands,
  ...keyVaultCommands, ...postgresCommands, ...vaultCommands, ...roleCommands, ...monitorCommands, ...resourceGuardCommands, ...alertCommands];
