// Normalising the two kinds of policy rule: the AzureBackupRule (datastore, schedule, time zone,
// tagging criteria) and each AzureRetentionRule (lifecycles and their copy settings).
import type { DatasourceManifest } from '../../datasources/manifest.ts';
import { DpError, errors, POLICY_CODES } from '../../domain/errors.ts';
import {
  type AzureBackupRule, type AzureRetentionRule, COPY_OPTION_TYPES, type CopyOption, type DataStoreInfoBase, DEFAULT_RULE_NAME,
  type SourceLifeCycle, type TargetCopySetting,
} from '../../domain/policy.ts';
import { checkRetentionRule } from '../retention.ts';
import { parseDuration, type IsoDuration } from '../time/duration.ts';
import { parseRepeatingInterval } from '../time/interval.ts';
import { resolveTimeZone } from '../time/zones.ts';
import { taggingCriterion, UNSUPPORTED_TAG } from './criteria.ts';
import { array, choice, fail, INVALID_POLICY, isAbsent, object, objectType, prop, string } from './read.ts';

export const FREQUENCY_NOT_SUPPORTED = POLICY_CODES.frequencyNotSupported;
const UNSUPPORTED_DATASTORE = POLICY_CODES.unsupportedDatastore;
const HOURLY_COUNTS = [4, 6, 8, 12];
const PERIODS: Record<string, string> = { Weekly: 'P1W', Daily: 'P1D', Hourly: 'PT4H, PT6H, PT8H or PT12H' };

function dataStore(v: unknown, path: string, manifest: DatasourceManifest): DataStoreInfoBase {
  const o = object(v, path, 'a datastore: {"dataStoreType": "VaultStore", "objectType": "DataStoreInfoBase"}');
  if (!isAbsent(prop(o, 'objectType'))) objectType(o, 'DataStoreInfoBase', path);
  const supported = manifest.policySettings.supportedDatastoreTypes;
  const type = prop(o, 'dataStoreType');
  const found = typeof type === 'string' ? supported.find((s) => s.toLowerCase() === type.trim().toLowerCase()) : undefined;
  if (found === undefined) {
    throw fail(
      UNSUPPORTED_DATASTORE,
      `The datastore ${JSON.stringify(type) ?? 'missing'} is not supported for ${manifest.name} policies; use ${supported.join(' or ')}.`,
      `${path}.dataStoreType`,
    );
  }
  return { dataStoreType: found, objectType: 'DataStoreInfoBase' };
}

/** The frequency a schedule period stands for (az's names), or undefined for one that is none of them. */
function frequencyOf(p: IsoDuration): string | undefined {
  const only = (k: keyof IsoDuration) => (Object.keys(p) as (keyof IsoDuration)[]).every((x) => x === k || p[x] === 0);
  if ((only('weeks') && p.weeks === 1) || (only('days') && p.days === 7)) return 'Weekly';
  if (only('days') && p.days === 1) return 'Daily';
  if (only('hours') && HOURLY_COUNTS.includes(p.hours)) return 'Hourly';
  return undefined;
}

function schedule(v: unknown, path: string, manifest: DatasourceManifest): AzureBackupRule['trigger']['schedule'] {
  const o = object(v, path, 'the backup schedule');
  const intervals = array(prop(o, 'repeatingTimeIntervals'), `${path}.repeatingTimeIntervals`, 'repeating intervals such as R/2021-08-15T22:00:00+00:00/P1W');
  if (intervals.length === 0) {
    throw fail(INVALID_POLICY, 'The backup schedule has no repeating time intervals.', `${path}.repeatingTimeIntervals`);
  }
  const supported = manifest.policySettings.supportedBackupFrequency;
  const texts = intervals.map((t, i) => {
    const p = `${path}.repeatingTimeIntervals[${i}]`;
    const interval = parseRepeatingInterval(string(t, p, 'a repeating interval such as R/2021-08-15T22:00:00+00:00/P1W'), p);
    const frequency = frequencyOf(interval.period);
    if (frequency === undefined || !supported.includes(frequency)) {
      const period = (t as string).split('/').pop();
      throw fail(
        FREQUENCY_NOT_SUPPORTED,
        `The backup schedule '${String(t)}' repeats every ${period}${frequency ? ` (${frequency})` : ''}, but ${manifest.name} policies ` +
          `support only ${supported.map((f) => `${f} (${PERIODS[f] ?? f})`).join(', ')} backups.`,
        p,
      );
    }
    return t as string;
  });
  const out: AzureBackupRule['trigger']['schedule'] = { repeatingTimeIntervals: texts };
  const timeZone = prop(o, 'timeZone');
  if (!isAbsent(timeZone)) {
    resolveTimeZone(string(timeZone, `${path}.timeZone`, 'a time zone name such as UTC'), `${path}.timeZone`);
    out.timeZone = timeZone as string;
  }
  return out;
}

export function backupRule(o: Record<string, unknown>, path: string, manifest: DatasourceManifest): AzureBackupRule {
  const name = string(prop(o, 'name'), `${path}.name`, 'the backup rule name, such as BackupWeekly');
  const params = prop(o, 'backupParameters');
  let backupType = 'Full';
  if (!isAbsent(params)) {
    const p = object(params, `${path}.backupParameters`, '{"backupType": "Full", "objectType": "AzureBackupParams"}');
    objectType(p, 'AzureBackupParams', `${path}.backupParameters`);
    // dpvault takes full logical dumps only, as Azure Backup does for PostgreSQL.
    backupType = choice(prop(p, 'backupType'), ['Full'], `${path}.backupParameters.backupType`);
  }
  const store = dataStore(prop(o, 'dataStore'), `${path}.dataStore`, manifest);
  if (store.dataStoreType === 'ArchiveStore') {
    throw fail(
      UNSUPPORTED_DATASTORE,
      'Backups cannot be written to ArchiveStore directly; back up to VaultStore and move recovery points to the archive with a retention rule.',
      `${path}.dataStore.dataStoreType`,
    );
  }
  const trigger = object(prop(o, 'trigger'), `${path}.trigger`, 'a ScheduleBasedTriggerContext');
  objectType(trigger, 'ScheduleBasedTriggerContext', `${path}.trigger`);
  const sched = schedule(prop(trigger, 'schedule'), `${path}.trigger.schedule`, manifest);
  const tags = array(prop(trigger, 'taggingCriteria'), `${path}.trigger.taggingCriteria`, 'tagging criteria');
  return {
    name,
    objectType: 'AzureBackupRule',
    backupParameters: { backupType, objectType: 'AzureBackupParams' },
    dataStore: store,
    trigger: {
      objectType: 'ScheduleBasedTriggerContext',
      schedule: sched,
      taggingCriteria: tags.map((t, i) => taggingCriterion(t, `${path}.trigger.taggingCriteria[${i}]`, manifest)),
    },
  };
}

function copyOption(v: unknown, path: string): CopyOption {
  const o = object(v, path, 'a copy option such as {"objectType": "CopyOnExpiryOption"}');
  const type = choice(prop(o, 'objectType'), COPY_OPTION_TYPES, `${path}.objectType`, POLICY_CODES.invalidCopyOption);
  if (type !== 'CustomCopyOption') return { objectType: type } as CopyOption;
  const duration = prop(o, 'duration');
  if (isAbsent(duration)) {
    throw fail(POLICY_CODES.invalidCopyOption, 'A CustomCopyOption needs a duration after which to copy, such as P7D.', `${path}.duration`);
  }
  parseDuration(duration as string, `${path}.duration`);
  return { objectType: 'CustomCopyOption', duration: duration as string };
}

function lifecycle(v: unknown, path: string, manifest: DatasourceManifest): SourceLifeCycle {
  const o = object(v, path, 'a lifecycle from retention-rule create-lifecycle');
  const del = object(prop(o, 'deleteAfter'), `${path}.deleteAfter`, '{"duration": "P3M", "objectType": "AbsoluteDeleteOption"}');
  objectType(del, 'AbsoluteDeleteOption', `${path}.deleteAfter`);
  const duration = prop(del, 'duration');
  parseDuration(duration as string, `${path}.deleteAfter.duration`);
  const copies = prop(o, 'targetDataStoreCopySettings');
  // az's create-lifecycle prints one object or null; the service stores a list.
  const list = isAbsent(copies) ? [] : Array.isArray(copies) ? copies : [copies];
  const settings = list.map((c, i): TargetCopySetting => {
    const p = Array.isArray(copies) ? `${path}.targetDataStoreCopySettings[${i}]` : `${path}.targetDataStoreCopySettings`;
    const s = object(c, p, 'a copy setting: {"dataStore": {...}, "copyAfter": {...}}');
    return { copyAfter: copyOption(prop(s, 'copyAfter'), `${p}.copyAfter`), dataStore: dataStore(prop(s, 'dataStore'), `${p}.dataStore`, manifest) };
  });
  return {
    deleteAfter: { duration: duration as string, objectType: 'AbsoluteDeleteOption' },
    sourceDataStore: dataStore(prop(o, 'sourceDataStore'), `${path}.sourceDataStore`, manifest),
    targetDataStoreCopySettings: settings,
  };
}

export function retentionRule(o: Record<string, unknown>, path: string, manifest: DatasourceManifest): AzureRetentionRule {
  const raw = string(prop(o, 'name'), `${path}.name`, 'the retention rule name, such as Monthly');
  const isDefault = prop(o, 'isDefault') ?? false;
  if (typeof isDefault !== 'boolean') throw fail(INVALID_POLICY, `${path}.isDefault must be true or false.`, `${path}.isDefault`);
  const allowed = isDefault ? [DEFAULT_RULE_NAME] : manifest.policySettings.supportedRetentionTags;
  const name = allowed.find((n) => n.toLowerCase() === raw.trim().toLowerCase());
  if (name === undefined) {
    throw fail(
      isDefault ? INVALID_POLICY : UNSUPPORTED_TAG,
      isDefault
        ? `The default retention rule must be named Default, not '${raw}'.`
        : `The retention rule '${raw}' is not supported for ${manifest.name} policies; use one of ${allowed.join(', ')}` +
          (raw.toLowerCase() === DEFAULT_RULE_NAME.toLowerCase() ? ', or set isDefault to true on the Default rule.' : '.'),
      `${path}.name`,
    );
  }
  const lifecycles = array(prop(o, 'lifecycles'), `${path}.lifecycles`, 'lifecycles from retention-rule create-lifecycle');
  const rule: AzureRetentionRule = {
    isDefault,
    lifecycles: lifecycles.map((l, i) => lifecycle(l, `${path}.lifecycles[${i}]`, manifest)),
    name,
    objectType: 'AzureRetentionRule',
  };
  try {
    checkRetentionRule(rule);
  } catch (e) {
    if (e instanceof DpError) throw errors.policyPartRejected(e, path);
    throw e;
  }
  return rule;
}
