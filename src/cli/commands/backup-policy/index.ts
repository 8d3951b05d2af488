// `backup-policy ...`: the offline policy editors and the vault's policy resource commands.
import type { Command } from '../../command.ts';
import { createCommand } from './create.ts';
import { deleteCommand } from './delete.ts';
import { getDefaultPolicyTemplateCommand } from './get-default-policy-template.ts';
import { listCommand } from './list.ts';
import { retentionRuleCreateLifecycleCommand } from './retention-rule-create-lifecycle.ts';
import { retentionRuleRemoveCommand } from './retention-rule-remove.ts';
import { retentionRuleSetCommand } from './retention-rule-set.ts';
import { showCommand } from './show.ts';
import { simulateCommand } from './simulate.ts';
import { tagCreateAbsoluteCriteriaCommand } from './tag-create-absolute-criteria.ts';
import { tagCreateGenericCriteriaCommand } from './tag-create-generic-criteria.ts';
import { tagRemoveCommand } from './tag-remove.ts';
import { tagSetCommand } from './tag-set.ts';
import { triggerCreateScheduleCommand } from './trigger-create-schedule.ts';
import { triggerSetCommand } from './trigger-set.ts';

export const backupPolicyCommands: Command[] = [
  createCommand,
  showCommand,
  listCommand,
  deleteCommand,
  getDefaultPolicyTemplateCommand,
  triggerCreateScheduleCommand,
  triggerSetCommand,
  retentionRuleCreateLifecycleCommand,
  retentionRuleSetCommand,
  retentionRuleRemoveCommand,
  tagCreateAbsoluteCriteriaCommand,
  tagCreateGenericCriteriaCommand,
  tagSetCommand,
  tagRemoveCommand,
  simulateCommand,
];
