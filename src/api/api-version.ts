// The api-versions the service accepts, and Azure's errors for the others.
import { errors } from '../domain/errors.ts';

/** Stable Microsoft.DataProtection versions (oldest first). */
export const DATAPROTECTION_API_VERSIONS = [
  '2021-01-01', '2021-07-01', '2022-01-01', '2022-03-01', '2022-04-01', '2022-05-01', '2022-12-01',
  '2023-01-01', '2023-05-01', '2023-11-01', '2024-04-01', '2025-07-01', '2025-09-01', '2026-03-01', '2026-06-01',
];
/** Stable Microsoft.Resources versions for resource groups. */
export const RESOURCES_API_VERSIONS = ['2021-04-01', '2022-09-01', '2023-07-01', '2024-03-01', '2024-07-01', '2024-11-01', '2025-04-01'];

/**
 * Stable versions of the subscriptions API (Microsoft.Resources/subscriptions): az signs in through
 * `GET /subscriptions?api-version=2019-11-01`, older SDKs send 2016-06-01.
 */
export const SUBSCRIPTIONS_API_VERSIONS = ['2016-06-01', '2019-06-01', '2019-11-01', '2021-01-01', '2022-12-01', ...RESOURCES_API_VERSIONS];

/** Stable Microsoft.KeyVault versions (vaults, access policies, secrets). */
export const KEYVAULT_API_VERSIONS = ['2019-09-01', '2021-10-01', '2022-07-01', '2023-02-01', '2023-07-01', '2024-11-01'];
/** Stable Microsoft.DBforPostgreSQL versions (servers and their databases). */
export const POSTGRES_API_VERSIONS = ['2017-12-01', '2021-06-01', '2022-12-01', '2024-08-01'];

/** Microsoft.Authorization versions of role assignments and definitions (az 2.45's `az role` sends 2022-04-01). */
export const AUTHORIZATION_API_VERSIONS = ['2015-07-01', '2018-01-01-preview', '2018-09-01-preview', '2020-04-01-preview', '2020-10-01-preview', '2022-04-01'];

/** Microsoft.Insights activity log (eventtypes/management/values), as az monitor activity-log sends. */
export const INSIGHTS_API_VERSIONS = ['2015-04-01'];

/** Microsoft.AlertsManagement alerts (Azure Monitor's alerts list and show). */
export const ALERTS_API_VERSIONS = ['2018-05-05', '2019-05-05-preview', '2023-07-12-preview'];

export type ApiVersionKind = 'dataprotection' | 'resources' | 'subscriptions' | 'keyvault' | 'postgres' | 'authorization' | 'insights' | 'alerts';

const SUPPORTED: Record<ApiVersionKind, string[]> = {
  dataprotection: DATAPROTECTION_API_VERSIONS,
  resources: RESOURCES_API_VERSIONS,
  subscriptions: SUBSCRIPTIONS_API_VERSIONS,
  keyvault: KEYVAULT_API_VERSIONS,
  postgres: POSTGRES_API_VERSIONS,
  authorization: AUTHORIZATION_API_VERSIONS,
  insights: INSIGHTS_API_VERSIONS,
  alerts: ALERTS_API_VERSIONS,
};

/** What the CLI sends. */
export const CLIENT_API_VERSION = '2026-06-01';
export const CLIENT_RESOURCES_API_VERSION = '2024-11-01';
export const CLIENT_KEYVAULT_API_VERSION = '2024-11-01';
export const CLIENT_POSTGRES_API_VERSION = '2017-12-01';
export const CLIENT_AUTHORIZATION_API_VERSION = '2022-04-01';

export function checkApiVersion(given: string | null, kind: ApiVersionKind, resourceType: string): string {
  if (!given) {
    throw errors.apiVersionMissing();
  }
  const supported = SUPPORTED[kind];
  if (supported.includes(given)) return given;
  if (!/^\d{4}-\d{2}-\d{2}(-preview)?$/.test(given)) {
    throw errors.apiVersionInvalid(`The api-version '${given}' is invalid. The supported versions are '${supported.join(',')}'.`);
  }
  throw errors.apiVersionNotSupported(
    `No registered resource provider found for API version '${given}' and type '${resourceType}'. The supported api-versions are '${supported.join(', ')}'.`,
  );
}
