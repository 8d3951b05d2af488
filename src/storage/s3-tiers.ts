// Access tiers on S3 are storage classes. The archive tier is GLACIER (Flexible Retrieval) or
// DEEP_ARCHIVE, as the location's `archiveClass` says. An archived object stays in its class for
// good; RestoreObject makes a readable copy of it for a number of days, after which S3 removes the
// copy by itself, and HeadObject's `x-amz-restore` header tells how the restore stands. What the
// headers mean is decided here, without I/O; s3.ts makes the calls.
import type { StorageClass } from '@aws-sdk/client-s3';
import type { S3ArchiveClass } from './object-url.ts';
import type { AccessTier, RehydrationPriority, TierState } from './storage.ts';

/** The storage class an object of `tier` is written in. */
export function storageClassOf(tier: AccessTier, archiveClass: S3ArchiveClass): StorageClass {
  switch (tier) {
    case 'hot':
      return 'STANDARD';
    case 'cool':
      return 'STANDARD_IA';
    case 'cold':
      return 'GLACIER_IR';
    case 'archive':
      return archiveClass;
  }
}

const ARCHIVE_CLASSES = new Set(['GLACIER', 'DEEP_ARCHIVE']);
const COOL_CLASSES = new Set(['STANDARD_IA', 'ONEZONE_IA']);

/**
 * The tier state of an object from HeadObject's storage class (absent for STANDARD) and its
 * `x-amz-restore` header: `ongoing-request="true"` while a restore runs, `ongoing-request="false",
 * expiry-date="..."` once the restored copy can be read.
 */
export function tierStateOf(storageClass: string | undefined, restore: string | undefined): TierState {
  const cls = (storageClass ?? 'STANDARD').toUpperCase();
  if (ARCHIVE_CLASSES.has(cls)) {
    const ongoing = /ongoing-request\s*=\s*"?(true|false)"?/i.exec(restore ?? '')?.[1]?.toLowerCase();
    return { tier: 'archive', rehydratingTo: ongoing === 'true' ? 'hot' : null, readable: ongoing === 'false' };
  }
  const tier: AccessTier = COOL_CLASSES.has(cls) ? 'cool' : cls === 'GLACIER_IR' ? 'cold' : 'hot';
  return { tier, rehydratingTo: null, readable: true };
}

/**
 * RestoreObject's retrieval tier for a priority: Expedited for high, except from DEEP_ARCHIVE,
 * which S3 restores only in Standard or Bulk.
 */
export function retrievalTierOf(priority: RehydrationPriority, archiveClass: S3ArchiveClass): 'Standard' | 'Expedited' {
  return priority === 'high' && archiveClass === 'GLACIER' ? 'Expedited' : 'Standard';
}
