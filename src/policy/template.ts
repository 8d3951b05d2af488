// `backup-policy get-default-policy-template`: the datasource manifest's default policy, as a fresh
// copy the caller may edit.
import type { DefaultPolicyTemplate } from '../datasources/manifest.ts';
import { requireManifest } from '../datasources/registry.ts';
import { errors } from '../domain/errors.ts';

export function getDefaultPolicyTemplate(datasourceType: string): DefaultPolicyTemplate {
  const manifest = requireManifest(datasourceType);
  const template = manifest.policySettings.defaultPolicy as DefaultPolicyTemplate | undefined;
  // az raises CLIInternalError with this text when a manifest has no default policy.
  if (!template) throw errors.defaultPolicyTemplateMissing();
  return structuredClone(template);
}
