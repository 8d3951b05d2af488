// "Back up now": an on-demand backup of an instance with its policy's backup rule (what
// `dpvault backup-instance adhoc-backup --rule-name <rule>` sends); then the jobs view follows it.
import { useState } from 'preact/hooks';
import type { Api } from './api.ts';
import type { Instance } from './resources.ts';

interface PolicyRules {
  properties: { policyRules: { name: string; objectType: string }[] };
}

export function BackupButton(props: { api: Api; instance: Instance; onStarted?: () => void }) {
  const [state, setState] = useState<{ busy?: boolean; error?: string }>({});
  const start = async () => {
    setState({ busy: true });
    try {
      const policy = await props.api.get<PolicyRules>(props.instance.properties.policyInfo.policyId);
      const rule = policy.properties.policyRules.find((r) => r.objectType === 'AzureBackupRule');
      await props.api.startJob(`${props.instance.id}/backup`, { backupRuleOptions: { ruleName: rule?.name ?? '', triggerOption: {} } });
      props.onStarted?.();
      location.hash = '#/jobs';
    } catch (e) {
      setState({ error: (e as Error).message });
    }
  };
  return (
    <span class="action">
      <button onClick={start} disabled={state.busy}>Back up now</button>
      {state.error && <span class="error" role="alert">{state.error}</span>}
    </span>
  );
}
