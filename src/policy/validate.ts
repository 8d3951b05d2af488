// Server-side validation of a backup policy PUT: the checks Azure Backup applies to a policy for its
// datasource type (from the datasource manifest), and the normalisation it does before storing and
// echoing it (`tagInfo.id` filled, copy settings as lists, camelCase criteria, the client-side `name`
// dropped). Pure; errors are `errors.policyRejected(code, message, target)` with a JSON path as target.
import { requireManifest } from '../datasources/registry.ts';
import { POLICY_CODES } from '../domain/errors.ts';
import type { AzureBackupRule, AzureRetentionRule, BackupPolicyProperties, BasePolicyRule } from '../domain/policy.ts';
import { array, choice, fail, INVALID_POLICY, object, prop, string } from './validate/read.ts';
import { backupRule, retentionRule } from './validate/rules.ts';

export { FREQUENCY_NOT_SUPPORTED } from './validate/rules.ts';

type Located<T> = { rule: T; path: string };

function datasourceTypes(props: Record<string, unknown>) {
  const list = array(prop(props, 'datasourceTypes'), 'datasourceTypes', 'the datasource type, such as Microsoft.DBforPostgreSQL/servers/databases');
  if (list.length === 0) throw fail(INVALID_POLICY, 'datasourceTypes must name the datasource type of the policy.', 'datasourceTypes');
  const types = list.map((t, i) => string(t, `datasourceTypes[${i}]`, 'a datasource type'));
  const manifest = requireManifest(types[0], (m) => fail(POLICY_CODES.unsupportedDatasource, m, 'datasourceTypes[0]'));
  types.forEach((t, i) => {
    if (requireManifest(t, (m) => fail(POLICY_CODES.unsupportedDatasource, m, `datasourceTypes[${i}]`)) !== manifest) {
      throw fail(POLICY_CODES.unsupportedDatasource, 'A policy applies to one datasource type; datasourceTypes lists two different ones.', `datasourceTypes[${i}]`);
    }
  });
  return { types, manifest };
}

function checkUnique(names: { name: string; path: string }[], what: string): void {
  const seen = new Set<string>();
  for (const n of names) {
    if (seen.has(n.name)) throw fail(POLICY_CODES.duplicateName, `The policy has two ${what} named '${n.name}'; names must be unique.`, n.path);
    seen.add(n.name);
  }
}

/** Tags and retention rules are joined by name; each side needs the other, and there is one Default of each. */
function checkJoins(backup: Located<AzureBackupRule>, retention: Located<AzureRetentionRule>[]): void {
  const tags = backup.rule.trigger.taggingCriteria;
  const tagPath = (i: number) => `${backup.path}.trigger.taggingCriteria[${i}]`;
  checkUnique(tags.map((t, i) => ({ name: t.tagInfo.tagName, path: `${tagPath(i)}.tagInfo.tagName` })), 'tagging criteria');
  checkUnique(retention.map((r) => ({ name: r.rule.name, path: `${r.path}.name` })), 'retention rules');

  const defaults = retention.filter((r) => r.rule.isDefault);
  if (defaults.length !== 1) {
    throw fail(
      POLICY_CODES.defaultRule,
      defaults.length === 0
        ? 'The policy has no default retention rule: every policy needs one AzureRetentionRule named Default with isDefault true, and it cannot be removed.'
        : 'The policy has more than one default retention rule; exactly one, named Default, may have isDefault true.',
      defaults.length === 0 ? 'policyRules' : `${defaults[1]!.path}.isDefault`,
    );
  }
  const defaultTags = tags.filter((t) => t.isDefault);
  if (defaultTags.length !== 1) {
    throw fail(
      POLICY_CODES.defaultTag,
      defaultTags.length === 0
        ? 'The backup rule has no default tagging criterion: it needs one named Default with isDefault true and taggingPriority 99.'
        : 'The backup rule has more than one default tagging criterion; exactly one, named Default, may have isDefault true.',
      `${backup.path}.trigger.taggingCriteria`,
    );
  }
  const ruleNames = new Set(retention.map((r) => r.rule.name));
  tags.forEach((t, i) => {
    const name = t.tagInfo.tagName;
    if (!ruleNames.has(name)) {
      throw fail(
        POLICY_CODES.tagWithoutRule,
        `The tagging criterion '${name}' has no retention rule of the same name: add an AzureRetentionRule named '${name}' ` +
          `(backup-policy retention-rule set --name ${name}) or remove the tag (backup-policy tag remove --name ${name}).`,
        `${tagPath(i)}.tagInfo.tagName`,
      );
    }
  });
  const tagNames = new Set(tags.map((t) => t.tagInfo.tagName));
  for (const r of retention) {
    if (!tagNames.has(r.rule.name)) {
      throw fail(
        POLICY_CODES.ruleWithoutTag,
        `The retention rule '${r.rule.name}' has no tagging criterion of the same name, so no backup would ever be kept by it: ` +
          `add one (backup-policy tag set --name ${r.rule.name}) or remove the rule (backup-policy retention-rule remove --name ${r.rule.name}).`,
        `${r.path}.name`,
      );
    }
  }
}

/** Validates the `properties` of a backup policy PUT and returns them as the service stores and returns them. */
export function validateAndNormalizePolicy(properties: unknown): BackupPolicyProperties {
  const props = object(properties, 'properties', 'a backup policy');
  choice(prop(props, 'objectType'), ['BackupPolicy'], 'objectType');
  const { types, manifest } = datasourceTypes(props);
  const raw = array(prop(props, 'policyRules'), 'policyRules', 'the backup rule and retention rules');

  const rules: BasePolicyRule[] = [];
  const backups: Located<AzureBackupRule>[] = [];
  const retention: Located<AzureRetentionRule>[] = [];
  raw.forEach((r, i) => {
    const path = `policyRules[${i}]`;
    const o = object(r, path, 'an AzureBackupRule or AzureRetentionRule');
    const kind = choice(prop(o, 'objectType'), ['AzureBackupRule', 'AzureRetentionRule'], `${path}.objectType`);
    if (kind === 'AzureBackupRule') {
      const rule = backupRule(o, path, manifest);
      backups.push({ rule, path });
      rules.push(rule);
    } else {
      const rule = retentionRule(o, path, manifest);
      retention.push({ rule, path });
      rules.push(rule);
    }
  });
  if (backups.length !== 1) {
    throw fail(
      POLICY_CODES.backupRuleCount,
      `A ${manifest.name} policy needs exactly one AzureBackupRule with a ScheduleBasedTriggerContext; this one has ${backups.length}.`,
      'policyRules',
    );
  }
  checkJoins(backups[0]!, retention);
  return { datasourceTypes: types, objectType: 'BackupPolicy', policyRules: rules };
}
