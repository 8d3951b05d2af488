// `backup-policy retention-rule create-lifecycle`: build one lifecycle for `retention-rule set`.
import { defineCommand } from '../../command.ts';
import { DATASTORE_TYPES } from '../../../domain/policy.ts';
import { createLifecycle, DURATION_TYPES } from '../../../policy/editors.ts';

// az's enums.get_copy_option_values order.
const COPY_OPTIONS = ['CustomCopyOption', 'ImmediateCopyOption', 'CopyOnExpiryOption'] as const;

export const retentionRuleCreateLifecycleCommand = defineCommand({
  path: ['backup-policy', 'retention-rule', 'create-lifecycle'],
  summary: 'Create a lifecycle for an Azure retention rule.',
  offline: true,
  args: {
    retentionDurationCount: { names: ['--retention-duration-count', '--count'], required: true, type: 'int', help: 'Retention duration count.' },
    retentionDurationType: { names: ['--retention-duration-type', '--type'], required: true, enum: DURATION_TYPES, help: 'Retention duration type.' },
    sourceDatastore: { names: ['--source-datastore'], required: true, enum: DATASTORE_TYPES, help: 'Specify source datastore.' },
    targetDatastore: { names: ['--target-datastore'], enum: DATASTORE_TYPES, help: 'Specify target datastore.' },
    copyOption: { names: ['--copy-option'], enum: COPY_OPTIONS, help: 'Specify copy option from source datastore to target datastore.' },
  },
  run: async (a) =>
    createLifecycle({
      retentionDurationCount: a.retentionDurationCount as number,
      retentionDurationType: a.retentionDurationType as string,
      sourceDatastore: a.sourceDatastore as string,
      targetDatastore: a.targetDatastore as string | undefined,
      copyOption: a.copyOption as string | undefined,
    }),
});
