// The restore commands, which live under `backup-instance` as in az: `backup-instance restore
// initialize-for-data-recovery[-as-files]|trigger` and `backup-instance validate-for-restore`.
import type { Command } from '../../command.ts';
import { restoreInitializeForDataRecovery, restoreInitializeForDataRecoveryAsFiles } from './initialize.ts';
import { backupInstanceValidateForRestore, restoreTrigger } from './trigger.ts';

export const restoreCommands: Command[] = [
  restoreInitializeForDataRecovery,
  restoreInitializeForDataRecoveryAsFiles,
  backupInstanceValidateForRestore,
  restoreTrigger,
];
