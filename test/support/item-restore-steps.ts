// What the item-level restore tests share, through the CLI on vault rg/vault: a policy whose
// Monthly points move to the archive after a week, the backup and restore steps of one backup
// instance, and the timeline they walk with an injected clock (a point, two weeks of changes, a
// Monthly point, a week on and a retention sweep that archives it).
import assert from 'node:assert/strict';
import type { ManualClock } from '../../src/util/clock.ts';
import type { ShellSession } from './shell.ts';

const DAY = 86_400_000;

/** Adds to `policy.json` (in the session's directory) a Monthly rule, a week in the vault then six months in the archive, tagged FirstOfMonth; creates it as 'monthly'; returns its id. */
export async function createMonthlyArchivePolicy(ok: ShellSession['ok']): Promise<string> {
  await ok('dpvault backup-policy retention-rule create-lifecycle --retention-duration-count 1 --retention-duration-type Weeks --source-datastore VaultStore --target-datastore ArchiveStore --copy-option CopyOnExpiryOption > toArchive.json');
  await ok('dpvault backup-policy retention-rule create-lifecycle --retention-duration-count 6 --retention-duration-type Months --source-datastore ArchiveStore > inArchive.json');
  await ok('dpvault backup-policy retention-rule set --lifecycles toArchive.json inArchive.json --name Monthly --policy policy.json > rule.json');
  await ok('dpvault backup-policy tag create-absolute-criteria --absolute-criteria FirstOfMonth > criteria.json');
  await ok('dpvault backup-policy tag set --criteria criteria.json --name Monthly --policy rule.json > monthly.json');
  return (await ok('dpvault backup-policy create -g rg --vault-name vault -n monthly --policy monthly.json')).id as string;
}

export interface InstanceSteps {
  /** An on-demand backup (`extra` flags added) that must complete. */
  backUp(extra?: string): Promise<void>;
  /** `restore trigger` of a request file. */
  trigger(file: string): ReturnType<ShellSession['sh']>;
  /** Triggers the restore a request file holds and waits for its job. */
  restoreJob(file: string): Promise<any>;
  /** The instance's recovery points' names. */
  points(): Promise<string[]>;
}

export function instanceSteps(session: ShellSession, instance: () => string): InstanceSteps {
  const { sh, ok, waitJob } = session;
  const trigger = (file: string) => sh(`dpvault backup-instance restore trigger -g rg -v vault -n ${instance()} --restore-request-object ${file}`);
  return {
    async backUp(extra = '') {
      const job = await waitJob((await ok(`dpvault backup-instance adhoc-backup -n ${instance()} -g rg -v vault --rule-name BackupWeekly ${extra}`)).jobId);
      assert.equal(job.properties.status, 'Completed', JSON.stringify(job.properties.errorDetails));
    },
    trigger,
    async restoreJob(file) {
      const r = await trigger(file);
      assert.equal(r.code, 0, r.stderr);
      return waitJob(JSON.parse(r.stdout).jobId);
    },
    async points() {
      return (await ok(`dpvault recovery-point list --backup-instance-name ${instance()} -g rg -v vault`)).map((p: { name: string }) => p.name);
    },
  };
}

/**
 * From a first point (taken): two weeks on, `change`, a Monthly backup; then a week and an hour
 * on, a retention sweep (the Monthly point moves to the archive) and `later`. Returns the Monthly point.
 */
export async function walkToArchivedMonthly(
  o: { clock: ManualClock; steps: InstanceSteps; first: string; sweep: () => Promise<unknown>; change: () => Promise<void>; later: () => Promise<void> },
): Promise<string> {
  o.clock.advance(14 * DAY);
  await o.change();
  await o.steps.backUp('--retention-tag-override Monthly');
  const mid = (await o.steps.points()).find((p) => p !== o.first)!;
  o.clock.advance(7 * DAY + 3_600_000);
  await o.sweep();
  await o.later();
  return mid;
}
