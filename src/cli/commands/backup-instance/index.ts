// The `backup-instance` commands (the restore ones are in ../restore).
import type { Command } from '../../command.ts';
import { deletedInstanceList, deletedInstanceShow, deletedInstanceUndelete } from './deleted.ts';
import { backupInstanceInitialize } from './initialize.ts';
import { backupInstanceListFromResourceGraph } from './list-from-resourcegraph.ts';
import {
  backupInstanceAdhocBackup,
  backupInstanceResumeProtection,
  backupInstanceStopProtection,
  backupInstanceSuspendBackup,
  backupInstanceUpdatePolicy,
} from './protection.ts';
import { backupInstanceDelete, backupInstanceList, backupInstanceShow, backupInstanceWait } from './show-list-delete.ts';
import { backupInstanceCreate, backupInstanceValidateForBackup } from './validate-create.ts';
import { backupInstanceUpdateMsiPermissions } from './update-msi-permissions.ts';

export const backupInstanceCommands: Command[] = [
  backupInstanceInitialize,
  backupInstanceValidateForBackup,
  backupInstanceUpdateMsiPermissions,
  backupInstanceCreate,
  backupInstanceShow,
  backupInstanceList,
  backupInstanceDelete,
  backupInstanceWait,
  backupInstanceUpdatePolicy,
  backupInstanceStopProtection,
  backupInstanceSuspendBackup,
  backupInstanceResumeProtection,
  backupInstanceAdhocBackup,
  backupInstanceListFromResourceGraph,
  deletedInstanceList,
  deletedInstanceShow,
  deletedInstanceUndelete,
];
