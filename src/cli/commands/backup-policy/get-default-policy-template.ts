// `backup-policy get-default-policy-template`: print the default policy of a datasource type.
import { defineCommand } from '../../command.ts';
import { DATASOURCE_TYPE_VALUES } from '../../../datasources/registry.ts';
import { getDefaultPolicyTemplate } from '../../../policy/editors.ts';

export const getDefaultPolicyTemplateCommand = defineCommand({
  path: ['backup-policy', 'get-default-policy-template'],
  summary: 'Get the default policy template for a given datasource type.',
  offline: true,
  args: {
    datasourceType: { names: ['--datasource-type'], required: true, enum: DATASOURCE_TYPE_VALUES, help: 'Specify the datasource type of the resource to be backed up.' },
  },
  run: async (a) => getDefaultPolicyTemplate(a.datasourceType as string),
});
