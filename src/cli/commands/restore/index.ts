// The restore commands, which live under `backup-instance` as in az: `backup-instance restore
// initialize-for-data-recovery[-as-files]|initialize-for-item-recovery|trigger` and
// `backup-instance validate-for-restore`.
import type { Command } from '../../command.ts';
import { restoreInitializeForDataRecovery, restoreInitializeForDataRecoveryAsFiles } from './initialize.ts';
import { restoreInitializeForItemRecovery } from './initialize-items.ts';
import { backupInstanceValidateForRestore, restoreTrigger } from './trigger.ts';

export const restoreCommands: Command[] = [
  restoreInitializeForDataRecovery,
  restoreInitializeForDataRecoveryAsFiles,
  restoreInitializeForItemRecovery,
  backupInstanceValidateForRestore,
  restoreTrigger,
];
