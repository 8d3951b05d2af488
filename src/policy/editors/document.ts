// The policy document as the CLI's client-side editors see it: parsed JSON from the user's file,
// edited like az edits a Python dict. Helpers here find its parts and fail with clear messages where
// az would raise a KeyError on a malformed document.
import { badArgument } from '../../domain/errors.ts';
import type { DatasourceManifest } from '../../datasources/manifest.ts';
import { requireManifest } from '../../datasources/registry.ts';

export type JsonObject = Record<string, unknown>;

/** A backup policy as a user edits it: `{datasourceTypes, name?, objectType, policyRules: [...]}`. */
export type PolicyDocument = JsonObject & { policyRules: JsonObject[] };

export const isObject = (v: unknown): v is JsonObject => typeof v === 'object' && v !== null && !Array.isArray(v);

/** A deep copy of `policy`, checked to be an object with a list of rule objects; editors never mutate their input. */
export function copyPolicy(policy: unknown): PolicyDocument {
  if (!isObject(policy)) throw badArgument('The policy must be a JSON object, such as the output of get-default-policy-template.');
  const rules = policy.policyRules;
  if (!Array.isArray(rules) || !rules.every(isObject)) {
    throw badArgument('The policy has no policyRules list of rule objects; start from the output of get-default-policy-template.');
  }
  return structuredClone(policy) as PolicyDocument;
}

/** The manifest of the policy's `datasourceTypes[0]` (az's `get_client_datasource_type` + `load_manifest`). */
export function manifestOfPolicy(doc: PolicyDocument): DatasourceManifest {
  const types = doc.datasourceTypes;
  const first: unknown = Array.isArray(types) ? types[0] : undefined;
  if (typeof first !== 'string') {
    throw badArgument('The policy has no datasourceTypes; start from the output of get-default-policy-template.');
  }
  return requireManifest(first);
}

/** Index of the first AzureBackupRule; a clear error when there is none. */
export function backupRuleIndex(doc: PolicyDocument): number {
  const i = doc.policyRules.findIndex((r) => r.objectType === 'AzureBackupRule');
  if (i < 0) throw badArgument('The policy has no AzureBackupRule; start from the output of get-default-policy-template.');
  return i;
}

/** The first backup rule's trigger, checked to be an object. */
export function backupTrigger(doc: PolicyDocument): JsonObject {
  const rule = doc.policyRules[backupRuleIndex(doc)]!;
  if (!isObject(rule.trigger)) throw badArgument(`The backup rule '${String(rule.name)}' has no trigger object.`);
  return rule.trigger;
}

/** The first backup rule's tagging criteria list, checked to be a list of objects. */
export function taggingCriteriaOf(doc: PolicyDocument): JsonObject[] {
  const trigger = backupTrigger(doc);
  const list = trigger.taggingCriteria;
  if (!Array.isArray(list) || !list.every(isObject)) {
    throw badArgument('The backup rule\'s trigger has no taggingCriteria list; start from the output of get-default-policy-template.');
  }
  return list;
}

/** The name of a tagging criterion (`tagInfo.tagName`), if it has one. */
export function tagNameOf(criterion: JsonObject): unknown {
  return isObject(criterion.tagInfo) ? criterion.tagInfo.tagName : undefined;
}
