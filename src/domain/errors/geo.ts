// Errors of geo-redundant vaults: their copy in the paired region and the cross-region restore
// that reads it. Messages name regions and objects, never a storage credential.
import { DpError } from './dp-error.ts';

export const GEO_COPY_MISMATCH = 'GeoRedundantCopyMismatch';

export const geoErrors = {
  /** A GeoRedundant vault in a location the server pairs with none (or pairs with its own storage). */
  geoRedundancyUnavailable: (message: string, target: string): DpError =>
    new DpError('invalid', 'UserErrorGeoRedundancyNotAvailable', message, { target }),

  /** A cross-region call on a vault that does not allow it. */
  crossRegionRestoreNotEnabled: (vaultName: string, why: string): DpError =>
    new DpError(
      'invalid',
      'UserErrorCrossRegionRestoreNotEnabled',
      `Cross region restore is not available for the backup vault '${vaultName}': ${why}`,
    ),

  /** A cross-region call naming a region that is not the vault's pair (or not its own, for the source). */
  crossRegionWrongRegion: (message: string, target: string): DpError => new DpError('invalid', 'UserErrorInvalidRestoreLocation', message, { target }),

  /** A recovery point not (yet) in the paired region. */
  secondaryRecoveryPointNotFound: (rpId: string, instanceName: string, region: string): DpError =>
    new DpError(
      'notFound',
      'UserErrorRecoveryPointNotFound',
      `The recovery point '${rpId}' of backup instance '${instanceName}' is not available in the secondary region ${region}; it may not be copied there yet (recovery-point list --use-secondary-region lists what is).`,
      { target: 'recoveryPointId' },
    ),

  /** An object read back from the paired region's storage differs from what was sent. */
  geoCopyMismatch: (name: string, where: string): DpError =>
    new DpError('internal', GEO_COPY_MISMATCH, `The copy of '${name}' read back from the paired region's storage (${where}) differs from what was written.`),
};
