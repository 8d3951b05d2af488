// Server-side policy validation: what the CLI's editors build is accepted and normalised as Azure
// does; each rule of the PostgreSQL manifest refuses the policy that breaks it, with its code.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DpError } from '../../src/domain/errors.ts';
import {
  createAbsoluteCriteria, createGenericCriteria, createLifecycle, createSchedule, getDefaultPolicyTemplate, setRetentionRule, setTag,
  setTrigger,
} from '../../src/policy/editors.ts';
import { validateAndNormalizePolicy } from '../../src/policy/validate.ts';

type Json = Record<string, unknown>;
// Loose access to a policy document in tests.
type Doc = { name?: string; datasourceTypes: string[]; policyRules: Json[] } & Json;

function rejects(policy: unknown, code: string, target?: string, messagePart?: string): DpError {
  let caught: unknown;
  try {
    validateAndNormalizePolicy(policy);
  } catch (e) {
    caught = e;
  }
  assert.ok(caught instanceof DpError, `expected a DpError with code ${code}, got ${String(caught)}`);
  assert.equal(caught.code, code, caught.message);
  assert.equal(caught.kind, 'invalid');
  if (target !== undefined) assert.equal(caught.target, target);
  if (messagePart !== undefined) assert.match(caught.message, new RegExp(messagePart.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')));
  return caught;
}

/** The Learn walkthrough's policy, built with the editors exactly as the CLI builds it. */
function seedPolicy(): Doc {
  let policy: unknown = getDefaultPolicyTemplate('AzureDatabaseForPostgreSQL');
  policy = setTrigger(policy, createSchedule('Weekly', 1, ['2021-08-15T22:00:00', '2021-08-18T22:00:00', '2021-08-20T22:00:00']));
  policy = setRetentionRule(policy, 'Monthly', [
    createLifecycle({
      retentionDurationCount: 6, retentionDurationType: 'Months', sourceDatastore: 'VaultStore',
      targetDatastore: 'ArchiveStore', copyOption: 'CopyOnExpiryOption',
    }),
    createLifecycle({ retentionDurationCount: 24, retentionDurationType: 'Months', sourceDatastore: 'ArchiveStore' }),
  ]);
  return setTag(policy, 'Monthly', [createAbsoluteCriteria('FirstOfMonth')]) as Doc;
}

const VAULT = { dataStoreType: 'VaultStore', objectType: 'DataStoreInfoBase' };
const ARCHIVE = { dataStoreType: 'ArchiveStore', objectType: 'DataStoreInfoBase' };

// What the service stores and returns for the seed policy (compare the REST doc's response).
const SEED_NORMALISED = {
  datasourceTypes: ['Microsoft.DBforPostgreSQL/servers/databases'],
  objectType: 'BackupPolicy',
  policyRules: [
    {
      name: 'BackupWeekly',
      objectType: 'AzureBackupRule',
      backupParameters: { backupType: 'Full', objectType: 'AzureBackupParams' },
      dataStore: VAULT,
      trigger: {
        objectType: 'ScheduleBasedTriggerContext',
        schedule: {
          repeatingTimeIntervals: ['R/2021-08-15T22:00:00+00:00/P1W', 'R/2021-08-18T22:00:00+00:00/P1W', 'R/2021-08-20T22:00:00+00:00/P1W'],
          timeZone: 'UTC',
        },
        taggingCriteria: [
          { isDefault: true, tagInfo: { tagName: 'Default', id: 'Default_' }, taggingPriority: 99 },
          {
            criteria: [{ objectType: 'ScheduleBasedBackupCriteria', absoluteCriteria: ['FirstOfMonth'] }],
            isDefault: false,
            tagInfo: { tagName: 'Monthly', id: 'Monthly_' },
            taggingPriority: 15,
          },
        ],
      },
    },
    {
      isDefault: true,
      lifecycles: [{ deleteAfter: { duration: 'P3M', objectType: 'AbsoluteDeleteOption' }, sourceDataStore: VAULT, targetDataStoreCopySettings: [] }],
      name: 'Default',
      objectType: 'AzureRetentionRule',
    },
    {
      isDefault: false,
      lifecycles: [
        {
          deleteAfter: { duration: 'P6M', objectType: 'AbsoluteDeleteOption' },
          sourceDataStore: VAULT,
          targetDataStoreCopySettings: [{ copyAfter: { objectType: 'CopyOnExpiryOption' }, dataStore: ARCHIVE }],
        },
        { deleteAfter: { duration: 'P24M', objectType: 'AbsoluteDeleteOption' }, sourceDataStore: ARCHIVE, targetDataStoreCopySettings: [] },
      ],
      name: 'Monthly',
      objectType: 'AzureRetentionRule',
    },
  ],
};

const backupRuleOf = (p: Doc) => p.policyRules[0] as { trigger: { schedule: Json; taggingCriteria: Json[] } } & Json;

describe('validateAndNormalizePolicy accepts', () => {
  it('the seed edit chain, with two retention rules, two tags, ids filled, copy settings as lists and no name', () => {
    const policy = seedPolicy();
    const before = structuredClone(policy);
    const out = validateAndNormalizePolicy(policy);
    assert.deepStrictEqual(out, SEED_NORMALISED);
    assert.deepStrictEqual(policy, before, 'the input is not modified');
    assert.deepStrictEqual(validateAndNormalizePolicy(out), out, 'normalising twice changes nothing');
  });

  it('the default templates of both PostgreSQL datasource types', () => {
    for (const type of ['AzureDatabaseForPostgreSQL', 'AzureDatabaseForPostgreSQLFlexibleServer']) {
      const template = getDefaultPolicyTemplate(type);
      const out = validateAndNormalizePolicy(template);
      const { name: _name, ...expected } = template;
      assert.deepStrictEqual(out, expected);
    }
  });

  it('Azure\'s spec example: OssDB, a Weekly tag on Sundays at a schedule time, P12W retention', () => {
    const policy = {
      datasourceTypes: ['OssDB'],
      objectType: 'BackupPolicy',
      policyRules: [
        {
          backupParameters: { backupType: 'Full', objectType: 'AzureBackupParams' },
          dataStore: VAULT,
          name: 'BackupWeekly',
          objectType: 'AzureBackupRule',
          trigger: {
            objectType: 'ScheduleBasedTriggerContext',
            schedule: { repeatingTimeIntervals: ['R/2019-11-20T08:00:00-08:00/P1W'], timeZone: 'Pacific Standard Time' },
            taggingCriteria: [
              { isDefault: true, tagInfo: { tagName: 'Default' }, taggingPriority: 99 },
              {
                criteria: [{ daysOfTheWeek: ['Sunday'], objectType: 'ScheduleBasedBackupCriteria', scheduleTimes: ['2019-03-01T13:00:00Z'] }],
                isDefault: false,
                tagInfo: { tagName: 'Weekly' },
                taggingPriority: 20,
              },
            ],
          },
        },
        {
          isDefault: true,
          lifecycles: [{ deleteAfter: { duration: 'P1W', objectType: 'AbsoluteDeleteOption' }, sourceDataStore: VAULT }],
          name: 'Default',
          objectType: 'AzureRetentionRule',
        },
        {
          isDefault: false,
          lifecycles: [{ deleteAfter: { duration: 'P12W', objectType: 'AbsoluteDeleteOption' }, sourceDataStore: VAULT }],
          name: 'Weekly',
          objectType: 'AzureRetentionRule',
        },
      ],
    };
    const out = validateAndNormalizePolicy(policy);
    assert.deepStrictEqual(out.datasourceTypes, ['OssDB']);
    const trigger = (out.policyRules[0] as unknown as { trigger: Json }).trigger;
    assert.deepStrictEqual(trigger.taggingCriteria, [
      { isDefault: true, tagInfo: { tagName: 'Default', id: 'Default_' }, taggingPriority: 99 },
      {
        criteria: [{ objectType: 'ScheduleBasedBackupCriteria', daysOfTheWeek: ['Sunday'], scheduleTimes: ['2019-03-01T13:00:00Z'] }],
        isDefault: false,
        tagInfo: { tagName: 'Weekly', id: 'Weekly_' },
        taggingPriority: 20,
      },
    ]);
    assert.deepStrictEqual(out.policyRules[2], {
      isDefault: false,
      lifecycles: [{ deleteAfter: { duration: 'P12W', objectType: 'AbsoluteDeleteOption' }, sourceDataStore: VAULT, targetDataStoreCopySettings: [] }],
      name: 'Weekly',
      objectType: 'AzureRetentionRule',
    });
  });

  it('snake_case criteria from create-generic-criteria, normalised to camelCase', () => {
    const policy = setTag(seedPolicy(), 'Monthly', [
      createGenericCriteria({ daysOfWeek: ['Sunday', 'Friday'], daysOfMonth: ['1', 'Last'], weeksOfMonth: ['First'], monthsOfYear: ['January'] }),
    ]);
    const out = validateAndNormalizePolicy(policy);
    const tags = (out.policyRules[0] as unknown as { trigger: { taggingCriteria: Json[] } }).trigger.taggingCriteria;
    assert.deepStrictEqual(tags[1], {
      criteria: [
        {
          objectType: 'ScheduleBasedBackupCriteria',
          daysOfMonth: [{ date: 1, isLast: false }, { isLast: true }],
          daysOfTheWeek: ['Sunday', 'Friday'],
          monthsOfYear: ['January'],
          weeksOfTheMonth: ['First'],
        },
      ],
      isDefault: false,
      tagInfo: { tagName: 'Monthly', id: 'Monthly_' },
      taggingPriority: 15,
    });
  });

  it('a policy edited by az\'s tag set, whose later "Criteria" key wins as in the service\'s JSON reader', () => {
    const policy = seedPolicy();
    backupRuleOf(policy).trigger.taggingCriteria[1]!.Criteria = [createAbsoluteCriteria('FirstOfWeek')];
    const out = validateAndNormalizePolicy(policy);
    const tags = (out.policyRules[0] as unknown as { trigger: { taggingCriteria: Json[] } }).trigger.taggingCriteria;
    assert.deepStrictEqual(tags[1]!.criteria, [{ objectType: 'ScheduleBasedBackupCriteria', absoluteCriteria: ['FirstOfWeek'] }]);
  });
});

describe('validateAndNormalizePolicy refuses', () => {
  it('a Daily tag for PostgreSQL', () => {
    const policy = seedPolicy();
    backupRuleOf(policy).trigger.taggingCriteria.push({
      criteria: [createAbsoluteCriteria('FirstOfDay')], isDefault: false, taggingPriority: 25, tagInfo: { tagName: 'Daily' },
    });
    rejects(policy, 'UserErrorUnsupportedRetentionTag', 'policyRules[0].trigger.taggingCriteria[2].tagInfo.tagName',
      "The retention tag 'Daily' is not supported for AzureDatabaseForPostgreSQL policies; use one of Weekly, Monthly, Yearly.");
  });

  it('a Daily retention rule for PostgreSQL', () => {
    const policy = seedPolicy();
    policy.policyRules.push({ ...policy.policyRules[2], name: 'Daily' });
    rejects(policy, 'UserErrorUnsupportedRetentionTag', 'policyRules[3].name');
  });

  it('a tag without a retention rule of its name', () => {
    const policy = setTag(getDefaultPolicyTemplate('AzureDatabaseForPostgreSQL'), 'Yearly', [createAbsoluteCriteria('FirstOfYear')]);
    rejects(policy, 'UserErrorRetentionRuleNotFoundForTag', 'policyRules[0].trigger.taggingCriteria[1].tagInfo.tagName',
      "The tagging criterion 'Yearly' has no retention rule of the same name");
  });

  it('a retention rule without a tag of its name', () => {
    const policy = setRetentionRule(getDefaultPolicyTemplate('AzureDatabaseForPostgreSQL'), 'Weekly', [
      createLifecycle({ retentionDurationCount: 12, retentionDurationType: 'Weeks', sourceDatastore: 'VaultStore' }),
    ]);
    rejects(policy, 'UserErrorTagNotFoundForRetentionRule', 'policyRules[2].name',
      "The retention rule 'Weekly' has no tagging criterion of the same name");
  });

  it('a policy whose Default retention rule was removed', () => {
    const policy = seedPolicy();
    policy.policyRules.splice(1, 1);
    rejects(policy, 'UserErrorDefaultRetentionRuleRequired', 'policyRules', 'The policy has no default retention rule');
  });

  it('a policy without the default tag', () => {
    const policy = seedPolicy();
    backupRuleOf(policy).trigger.taggingCriteria.splice(0, 1);
    rejects(policy, 'UserErrorDefaultTagRequired');
  });

  it('daily or hourly schedules for PostgreSQL, single or flexible server', () => {
    for (const interval of ['R/2021-08-15T22:00:00+00:00/P1D', 'R/2021-08-15T22:00:00+00:00/PT4H', 'R/2021-08-15T22:00:00+00:00/P2W']) {
      const policy = seedPolicy();
      (backupRuleOf(policy).trigger.schedule.repeatingTimeIntervals as string[])[1] = interval;
      rejects(policy, 'BMSUserErrorDPPBackupPolicyBackupFrequencyNotMatchingRule', 'policyRules[0].trigger.schedule.repeatingTimeIntervals[1]');
    }
    const flex = getDefaultPolicyTemplate('AzureDatabaseForPostgreSQLFlexibleServer');
    flex.policyRules[0]!.name = 'BackupDaily';
    (flex.policyRules[0] as unknown as { trigger: { schedule: Json } }).trigger.schedule.repeatingTimeIntervals = ['R/2021-08-15T22:00:00+00:00/P1D'];
    rejects(flex, 'BMSUserErrorDPPBackupPolicyBackupFrequencyNotMatchingRule', undefined,
      "The backup schedule 'R/2021-08-15T22:00:00+00:00/P1D' repeats every P1D (Daily), but AzureDatabaseForPostgreSQLFlexibleServer " +
        'policies support only Weekly (P1W) backups.');
  });

  it('a malformed repeating interval', () => {
    const policy = seedPolicy();
    backupRuleOf(policy).trigger.schedule.repeatingTimeIntervals = ['R/2021-08-15T22:00:00Z+00:00/P1W'];
    rejects(policy, 'InvalidRepeatingInterval', 'policyRules[0].trigger.schedule.repeatingTimeIntervals[0]');
  });

  it('an unknown time zone', () => {
    const policy = seedPolicy();
    backupRuleOf(policy).trigger.schedule.timeZone = 'Mars/Olympus_Mons';
    rejects(policy, 'InvalidTimeZone', 'policyRules[0].trigger.schedule.timeZone', "The time zone 'Mars/Olympus_Mons' is not recognised.");
  });

  it('a bad lifecycle duration', () => {
    const policy = seedPolicy();
    ((policy.policyRules[1]!.lifecycles as Json[])[0]!.deleteAfter as Json).duration = 'P3X';
    rejects(policy, 'InvalidDuration', 'policyRules[1].lifecycles[0].deleteAfter.duration', "'P3X' is not a valid ISO 8601 duration");
  });

  it('an archive lifecycle without a vault lifecycle', () => {
    const policy = seedPolicy();
    (policy.policyRules[2]!.lifecycles as Json[]).splice(0, 1);
    rejects(policy, 'UserErrorInvalidRetentionRule', 'policyRules[2]', 'no VaultStore lifecycle');
  });

  it('a copy option that is not one of the three', () => {
    const policy = seedPolicy();
    const lifecycle = (policy.policyRules[2]!.lifecycles as Json[])[0]!;
    (lifecycle.targetDataStoreCopySettings as Json).copyAfter = { objectType: 'CopyLater' };
    rejects(policy, 'UserErrorInvalidCopyOption', 'policyRules[2].lifecycles[0].targetDataStoreCopySettings.copyAfter.objectType',
      'allowed values: CopyOnExpiryOption, CustomCopyOption, ImmediateCopyOption');
  });

  it('a CustomCopyOption without a duration', () => {
    const policy = seedPolicy();
    const lifecycle = (policy.policyRules[2]!.lifecycles as Json[])[0]!;
    (lifecycle.targetDataStoreCopySettings as Json).copyAfter = { objectType: 'CustomCopyOption' };
    rejects(policy, 'UserErrorInvalidCopyOption', 'policyRules[2].lifecycles[0].targetDataStoreCopySettings.copyAfter.duration');
  });

  it('a datastore the manifest does not list', () => {
    const policy = seedPolicy();
    ((policy.policyRules[1]!.lifecycles as Json[])[0]!.sourceDataStore as Json).dataStoreType = 'OperationalStore';
    rejects(policy, 'UserErrorUnsupportedDatastoreType', 'policyRules[1].lifecycles[0].sourceDataStore.dataStoreType');
  });

  it('a backup rule writing to the archive', () => {
    const policy = seedPolicy();
    policy.policyRules[0]!.dataStore = { ...ARCHIVE };
    rejects(policy, 'UserErrorUnsupportedDatastoreType', 'policyRules[0].dataStore.dataStoreType');
  });

  it('a policy with two backup rules or none', () => {
    const two = seedPolicy();
    two.policyRules.push(structuredClone(two.policyRules[0]!));
    rejects(two, 'UserErrorInvalidBackupRuleCount', 'policyRules');
    const none = seedPolicy();
    none.policyRules.splice(0, 1);
    rejects(none, 'UserErrorInvalidBackupRuleCount', 'policyRules');
  });

  it('an unsupported datasource type or object type', () => {
    rejects({ ...seedPolicy(), datasourceTypes: ['Microsoft.Compute/disks'] }, 'UserErrorUnsupportedDatasourceType', 'datasourceTypes[0]');
    rejects({ ...seedPolicy(), objectType: 'Policy' }, 'UserErrorInvalidPolicy', 'objectType');
    rejects(null, 'UserErrorInvalidPolicy', 'properties');
  });

  it('a tag whose criteria select nothing, and a day of month out of range', () => {
    const empty = seedPolicy();
    backupRuleOf(empty).trigger.taggingCriteria[1]!.criteria = [createGenericCriteria({})];
    rejects(empty, 'UserErrorInvalidBackupCriteria', 'policyRules[0].trigger.taggingCriteria[1].criteria[0]');
    const day = seedPolicy();
    backupRuleOf(day).trigger.taggingCriteria[1]!.criteria = [{ objectType: 'ScheduleBasedBackupCriteria', daysOfMonth: [{ date: 31 }] }];
    rejects(day, 'UserErrorInvalidBackupCriteria', 'policyRules[0].trigger.taggingCriteria[1].criteria[0].daysOfMonth[0].date');
  });

  it('two tags or rules with the same name', () => {
    const policy = seedPolicy();
    const tags = backupRuleOf(policy).trigger.taggingCriteria;
    tags.push(structuredClone(tags[1]!));
    rejects(policy, 'UserErrorDuplicateRuleName', 'policyRules[0].trigger.taggingCriteria[2].tagInfo.tagName');
  });
});
