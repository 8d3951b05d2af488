// `backup-policy retention-rule create-lifecycle`, `set` and `remove`: the retention rules of a policy.
import { badArgument, errors } from '../../domain/errors.ts';
import { DEFAULT_RULE_NAME } from '../../domain/policy.ts';
import { copyPolicy, manifestOfPolicy, type JsonObject, type PolicyDocument } from './document.ts';

export const DURATION_TYPES = ['Days', 'Weeks', 'Months', 'Years'] as const;
export const RETENTION_RULE_NAMES = ['Default', 'Daily', 'Weekly', 'Monthly', 'Yearly'] as const;

export interface LifecycleOptions {
  sourceDatastore: string;
  retentionDurationType: string;
  retentionDurationCount: number;
  targetDatastore?: string | undefined;
  copyOption?: string | undefined;
}

/**
 * `create-lifecycle`: delete after `P<count><D|W|M|Y>` in the source datastore. Copy settings are
 * emitted only when both a target datastore and a copy option are given, and then, as az prints them,
 * as a single object rather than the array the service stores (the service converts it on PUT).
 */
export function createLifecycle(o: LifecycleOptions): JsonObject {
  const type = DURATION_TYPES.find((t) => t.toLowerCase() === o.retentionDurationType.toLowerCase());
  if (!type) throw badArgument(`Retention duration type '${o.retentionDurationType}' is not one of ${DURATION_TYPES.join(', ')}.`);
  const copySettings =
    o.targetDatastore !== undefined && o.copyOption !== undefined
      ? {
          dataStore: { objectType: 'DataStoreInfoBase', dataStoreType: o.targetDatastore },
          copyAfter: { objectType: o.copyOption },
        }
      : null;
  return {
    deleteAfter: { objectType: 'AbsoluteDeleteOption', duration: `P${o.retentionDurationCount}${type[0]}` },
    sourceDataStore: { objectType: 'DataStoreInfoBase', dataStoreType: o.sourceDatastore },
    targetDataStoreCopySettings: copySettings,
  };
}

const findRetentionRule = (doc: PolicyDocument, name: string): number =>
  doc.policyRules.findIndex((r) => r.objectType === 'AzureRetentionRule' && r.name === name);

/**
 * `retention-rule set`: replace the lifecycles of the retention rule `name` or, when there is none,
 * append a new rule (if the datasource allows new rules of that name). Lifecycles go in verbatim.
 */
export function setRetentionRule(policy: unknown, name: string, lifecycles: readonly unknown[]): PolicyDocument {
  const doc = copyPolicy(policy);
  const index = findRetentionRule(doc, name);
  if (index >= 0) {
    doc.policyRules[index]!.lifecycles = structuredClone([...lifecycles]);
    return doc;
  }
  const manifest = manifestOfPolicy(doc);
  if (manifest.policySettings.disableAddRetentionRule) {
    throw badArgument(`Adding New Retention Rule is not supported for ${manifest.name} datasource type`);
  }
  if (!manifest.policySettings.supportedRetentionTags.includes(name)) {
    throw badArgument(`Selected Retention Rule ${name} is not applicable for Datasource Type ${manifest.name}`);
  }
  doc.policyRules.push({
    objectType: 'AzureRetentionRule',
    isDefault: name === DEFAULT_RULE_NAME,
    name,
    lifecycles: structuredClone([...lifecycles]),
  });
  return doc;
}

/** `retention-rule remove`: drop the first retention rule named `name` (nothing if absent); never Default. */
export function removeRetentionRule(policy: unknown, name: string): PolicyDocument {
  if (name === DEFAULT_RULE_NAME) {
    throw errors.defaultRetentionRuleRemoval();
  }
  const doc = copyPolicy(policy);
  const index = findRetentionRule(doc, name);
  if (index >= 0) doc.policyRules.splice(index, 1);
  return doc;
}
