// Immutable vaults (immutabilitySettings.state Unlocked or Locked): no recovery point is deleted
// before its expiry, by any path. Pure: each deleting path asks here before it deletes.
import { errors } from './errors.ts';
import { pointExpiry } from './deleted-instance.ts';
import type { RecoveryPointResource } from './recovery-point.ts';
import type { BackupVault } from './vault.ts';

export function immutabilityState(vault: BackupVault): string {
  return vault.properties.securitySettings.immutabilitySettings.state;
}

export function isImmutable(vault: BackupVault): boolean {
  return immutabilityState(vault) !== 'Disabled';
}

/** Whether a point's retention has run out at `now` (a point kept forever never has). */
export function expiredAt(rp: RecoveryPointResource, now: Date): boolean {
  const expiry = pointExpiry(rp);
  return expiry !== null && expiry.getTime() <= now.getTime();
}

/** The points an immutable vault lets go at `now`: all of them in a mutable one. */
export function deletableNow(vault: BackupVault, points: RecoveryPointResource[], now: Date): RecoveryPointResource[] {
  return isImmutable(vault) ? points.filter((p) => expiredAt(p, now)) : points;
}

const expiryText = (rp: RecoveryPointResource): string => pointExpiry(rp)?.toISOString() ?? 'never (kept forever)';

/** Refuses `what` when it would delete any of `points` before its expiry in an immutable vault. */
export function checkNoEarlyDeletion(vault: BackupVault, points: RecoveryPointResource[], now: Date, what: string): void {
  if (!isImmutable(vault)) return;
  const early = points.filter((p) => !expiredAt(p, now));
  if (!early.length) return;
  throw errors.immutableVaultDeniesDelete(
    `The Backup vault '${vault.name}' is immutable (immutabilitySettings.state is ${immutabilityState(vault)}): ${what} would delete ` +
      `${early.length} recovery point(s) before their expiry (recovery point '${early[0]!.name}' expires ${expiryText(early[0]!)}).`,
  );
}

/**
 * Refuses a retention change that would end any point earlier than it ends now, in an immutable
 * vault. `before` and `after` are the same points under the old and the new retention.
 */
export function checkNoShortening(vault: BackupVault, before: RecoveryPointResource[], after: RecoveryPointResource[], what: string): void {
  if (!isImmutable(vault)) return;
  const was = new Map(before.map((p) => [p.id, pointExpiry(p)]));
  const shortened = after.find((p) => {
    const old = was.get(p.id);
    const next = pointExpiry(p);
    return old !== undefined && next !== null && (old === null || next.getTime() < old.getTime());
  });
  if (!shortened) return;
  const old = was.get(shortened.id);
  throw errors.immutableVaultDeniesDelete(
    `The Backup vault '${vault.name}' is immutable (immutabilitySettings.state is ${immutabilityState(vault)}): ${what} would shorten the retention of ` +
      `recovery point '${shortened.name}' from ${old?.toISOString() ?? 'never'} to ${pointExpiry(shortened)!.toISOString()}.`,
  );
}
