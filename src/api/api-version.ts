// The api-versions the service accepts, and Azure's errors for the others.
import { invalid } from '../domain/errors.ts';

/** Stable Microsoft.DataProtection versions (oldest first). */
export const DATAPROTECTION_API_VERSIONS = [
  '2021-01-01', '2021-07-01', '2022-01-01', '2022-03-01', '2022-04-01', '2022-05-01', '2022-12-01',
  '2023-01-01', '2023-05-01', '2023-11-01', '2024-04-01', '2025-07-01', '2025-09-01', '2026-03-01', '2026-06-01',
];
/** Stable Microsoft.Resources versions for resource groups. */
export const RESOURCES_API_VERSIONS = ['2021-04-01', '2022-09-01', '2023-07-01', '2024-03-01', '2024-07-01', '2024-11-01', '2025-04-01'];

/** What the CLI sends. */
export const CLIENT_API_VERSION = '2026-06-01';
export const CLIENT_RESOURCES_API_VERSION = '2024-11-01';

export function checkApiVersion(given: string | null, kind: 'dataprotection' | 'resources', resourceType: string): string {
  if (!given) {
    throw invalid('MissingApiVersionParameter', "The api-version query parameter (?api-version=) is required for all requests.");
  }
  const supported = kind === 'dataprotection' ? DATAPROTECTION_API_VERSIONS : RESOURCES_API_VERSIONS;
  if (supported.includes(given)) return given;
  if (!/^\d{4}-\d{2}-\d{2}(-preview)?$/.test(given)) {
    throw invalid('InvalidApiVersionParameter', `The api-version '${given}' is invalid. The supported versions are '${supported.join(',')}'.`);
  }
  throw invalid(
    'NoRegisteredProviderFound',
    `No registered resource provider found for API version '${given}' and type '${resourceType}'. The supported api-versions are '${supported.join(', ')}'.`,
  );
}
