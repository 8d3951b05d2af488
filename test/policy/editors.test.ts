// The client-side backup-policy editors against az's documented outputs and messages
// (reference azcli-dataprotection.md §3 and the Learn walkthrough backup-postgresql-cli.md).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DpError } from '../../src/domain/errors.ts';
import {
  createAbsoluteCriteria, createGenericCriteria, createLifecycle, createSchedule, getDefaultPolicyTemplate, removeRetentionRule,
  removeTag, setRetentionRule, setTag, setTrigger,
} from '../../src/policy/editors.ts';

/** Asserts that `fn` throws a DpError with this code and exact message. */
function throwsDp(fn: () => unknown, code: string, message: string): DpError {
  let caught: unknown;
  try {
    fn();
  } catch (e) {
    caught = e;
  }
  assert.ok(caught instanceof DpError, `expected a DpError, got ${String(caught)}`);
  assert.equal(caught.message, message);
  assert.equal(caught.code, code);
  return caught;
}

const badArg = (fn: () => unknown, message: string) => throwsDp(fn, 'InvalidArgumentValueError', message);

// The Learn sample of get-default-policy-template --datasource-type AzureDatabaseForPostgreSQL.
const DEFAULT_TEMPLATE = {
  datasourceTypes: ['Microsoft.DBforPostgreSQL/servers/databases'],
  name: 'OssPolicy1',
  objectType: 'BackupPolicy',
  policyRules: [
    {
      backupParameters: { backupType: 'Full', objectType: 'AzureBackupParams' },
      dataStore: { dataStoreType: 'VaultStore', objectType: 'DataStoreInfoBase' },
      name: 'BackupWeekly',
      objectType: 'AzureBackupRule',
      trigger: {
        objectType: 'ScheduleBasedTriggerContext',
        schedule: { repeatingTimeIntervals: ['R/2021-08-15T06:30:00+00:00/P1W'], timeZone: 'UTC' },
        taggingCriteria: [{ isDefault: true, tagInfo: { id: 'Default_', tagName: 'Default' }, taggingPriority: 99 }],
      },
    },
    {
      isDefault: true,
      lifecycles: [
        {
          deleteAfter: { duration: 'P3M', objectType: 'AbsoluteDeleteOption' },
          sourceDataStore: { dataStoreType: 'VaultStore', objectType: 'DataStoreInfoBase' },
          targetDataStoreCopySettings: [],
        },
      ],
      name: 'Default',
      objectType: 'AzureRetentionRule',
    },
  ],
};

const SEED_SCHEDULE = ['R/2021-08-15T22:00:00+00:00/P1W', 'R/2021-08-18T22:00:00+00:00/P1W', 'R/2021-08-20T22:00:00+00:00/P1W'];

const VAULT_TO_ARCHIVE = {
  deleteAfter: { objectType: 'AbsoluteDeleteOption', duration: 'P6M' },
  sourceDataStore: { objectType: 'DataStoreInfoBase', dataStoreType: 'VaultStore' },
  targetDataStoreCopySettings: {
    dataStore: { objectType: 'DataStoreInfoBase', dataStoreType: 'ArchiveStore' },
    copyAfter: { objectType: 'CopyOnExpiryOption' },
  },
};

const ON_ARCHIVE = {
  deleteAfter: { objectType: 'AbsoluteDeleteOption', duration: 'P24M' },
  sourceDataStore: { objectType: 'DataStoreInfoBase', dataStoreType: 'ArchiveStore' },
  targetDataStoreCopySettings: null,
};

// AddedRetentionRuleAndTag.JSON of the Learn walkthrough, as this CLI prints it.
const SEED_FINAL = {
  datasourceTypes: ['Microsoft.DBforPostgreSQL/servers/databases'],
  name: 'OssPolicy1',
  objectType: 'BackupPolicy',
  policyRules: [
    {
      backupParameters: { backupType: 'Full', objectType: 'AzureBackupParams' },
      dataStore: { dataStoreType: 'VaultStore', objectType: 'DataStoreInfoBase' },
      name: 'BackupWeekly',
      objectType: 'AzureBackupRule',
      trigger: {
        objectType: 'ScheduleBasedTriggerContext',
        schedule: { repeatingTimeIntervals: SEED_SCHEDULE, timeZone: 'UTC' },
        taggingCriteria: [
          { isDefault: true, tagInfo: { id: 'Default_', tagName: 'Default' }, taggingPriority: 99 },
          {
            criteria: [{ absoluteCriteria: ['FirstOfMonth'], objectType: 'ScheduleBasedBackupCriteria' }],
            isDefault: false,
            tagInfo: { tagName: 'Monthly' },
            taggingPriority: 15,
          },
        ],
      },
    },
    {
      isDefault: true,
      lifecycles: [
        {
          deleteAfter: { duration: 'P3M', objectType: 'AbsoluteDeleteOption' },
          sourceDataStore: { dataStoreType: 'VaultStore', objectType: 'DataStoreInfoBase' },
          targetDataStoreCopySettings: [],
        },
      ],
      name: 'Default',
      objectType: 'AzureRetentionRule',
    },
    {
      isDefault: false,
      lifecycles: [VAULT_TO_ARCHIVE, ON_ARCHIVE],
      name: 'Monthly',
      objectType: 'AzureRetentionRule',
    },
  ],
};

describe('get-default-policy-template', () => {
  it('returns the Learn sample for AzureDatabaseForPostgreSQL, case-insensitively', () => {
    assert.deepStrictEqual(getDefaultPolicyTemplate('AzureDatabaseForPostgreSQL'), DEFAULT_TEMPLATE);
    assert.deepStrictEqual(getDefaultPolicyTemplate('azuredatabaseforpostgresql'), DEFAULT_TEMPLATE);
  });

  it('differs for the flexible server only in datasource type and name', () => {
    assert.deepStrictEqual(getDefaultPolicyTemplate('AzureDatabaseForPostgreSQLFlexibleServer'), {
      ...DEFAULT_TEMPLATE,
      datasourceTypes: ['Microsoft.DBforPostgreSQL/flexibleServers'],
      name: 'OssFlexiblePolicy1',
    });
  });

  it('returns a copy the caller may edit', () => {
    const t = getDefaultPolicyTemplate('AzureDatabaseForPostgreSQL');
    t.name = 'changed';
    t.policyRules.pop();
    assert.deepStrictEqual(getDefaultPolicyTemplate('AzureDatabaseForPostgreSQL'), DEFAULT_TEMPLATE);
  });

  it('refuses datasource types dpvault does not protect', () => {
    badArg(
      () => getDefaultPolicyTemplate('AzureDisk'),
      'Datasource type AzureDisk is not supported by dpvault, which protects PostgreSQL only. Supported datasource types: ' +
        'AzureDatabaseForPostgreSQL (Microsoft.DBforPostgreSQL/servers/databases), ' +
        'AzureDatabaseForPostgreSQLFlexibleServer (Microsoft.DBforPostgreSQL/flexibleServers).',
    );
  });
});

describe('trigger create-schedule', () => {
  it('builds the Learn sample', () => {
    assert.deepStrictEqual(
      createSchedule('Weekly', 1, ['2021-08-15T22:00:00', '2021-08-18T22:00:00', '2021-08-20T22:00:00']),
      SEED_SCHEDULE,
    );
  });

  it('builds hourly and daily periods', () => {
    assert.deepStrictEqual(createSchedule('Hourly', 6, ['2021-05-02T05:30:00']), ['R/2021-05-02T05:30:00+00:00/PT6H']);
    assert.deepStrictEqual(createSchedule('Daily', 1, ['2021-05-02T05:30:00']), ['R/2021-05-02T05:30:00+00:00/P1D']);
  });

  it('keeps an offset or Z the schedule day already carries instead of appending +00:00', () => {
    assert.deepStrictEqual(
      createSchedule('Weekly', 1, ['2021-08-15T22:00:00Z', '2021-08-18T22:00:00+05:30', '2021-08-20T22:00:00-0800']),
      ['R/2021-08-15T22:00:00Z/P1W', 'R/2021-08-18T22:00:00+05:30/P1W', 'R/2021-08-20T22:00:00-0800/P1W'],
    );
  });

  it('validates the count in az\'s order with az\'s messages', () => {
    badArg(() => createSchedule('Weekly', 2, ['2021-08-15T22:00:00']), 'Interval Count for Daily or Weekly Backup must be 1.');
    badArg(() => createSchedule('Daily', 0, ['2021-08-15T22:00:00']), 'Interval Count for Daily or Weekly Backup must be 1.');
    badArg(() => createSchedule('Hourly', 5, ['2021-08-15T22:00:00']), 'Interval Count for Hourly Backup must be one of 4, 6, 8, 12.');
    badArg(() => createSchedule('Hourly', -4, ['2021-08-15T22:00:00']), 'Interval Count for Hourly Backup must be one of 4, 6, 8, 12.');
  });
});

describe('trigger set', () => {
  it('sets the seed schedule on the template and keeps the rule name BackupWeekly', () => {
    const template = getDefaultPolicyTemplate('AzureDatabaseForPostgreSQL');
    const out = setTrigger(template, SEED_SCHEDULE);
    const expected = structuredClone(DEFAULT_TEMPLATE);
    expected.policyRules[0]!.trigger!.schedule.repeatingTimeIntervals = SEED_SCHEDULE;
    assert.deepStrictEqual(out, expected);
    assert.deepStrictEqual(template, DEFAULT_TEMPLATE, 'the input is not modified');
  });

  it('renames the first backup rule Backup<Frequency>', () => {
    const template = getDefaultPolicyTemplate('AzureDatabaseForPostgreSQL');
    template.policyRules[0]!.name = 'Something';
    const out = setTrigger(template, ['R/2021-08-15T22:00:00+00:00/P1W']);
    assert.equal(out.policyRules[0]!.name, 'BackupWeekly');
  });

  it('refuses frequencies PostgreSQL does not support, judged by the first schedule\'s last character', () => {
    const template = getDefaultPolicyTemplate('AzureDatabaseForPostgreSQL');
    badArg(
      () => setTrigger(template, ['R/2021-08-15T22:00:00+00:00/P1D']),
      'Daily Backup Schedule is not supported for AzureDatabaseForPostgreSQL policy',
    );
    badArg(
      () => setTrigger(template, ['R/2021-08-15T22:00:00+00:00/PT4H', 'R/2021-08-15T22:00:00+00:00/P1W']),
      'Hourly Backup Schedule is not supported for AzureDatabaseForPostgreSQL policy',
    );
    badArg(
      () => setTrigger(getDefaultPolicyTemplate('AzureDatabaseForPostgreSQLFlexibleServer'), ['R/2021-08-15T22:00:00+00:00/P1D']),
      'Daily Backup Schedule is not supported for AzureDatabaseForPostgreSQLFlexibleServer policy',
    );
  });

  it('explains a schedule whose last character names no frequency (az: KeyError)', () => {
    badArg(
      () => setTrigger(getDefaultPolicyTemplate('AzureDatabaseForPostgreSQL'), ['R/2021-08-15T22:00:00+00:00/P1M']),
      "Cannot tell the backup frequency of 'R/2021-08-15T22:00:00+00:00/P1M': a schedule must end in a period of days (D), " +
        'hours (H) or weeks (W), such as R/2021-08-15T22:00:00+00:00/P1W.',
    );
  });

  it('reads a policy whose datasource type is the OssDB alias', () => {
    const policy = { ...getDefaultPolicyTemplate('AzureDatabaseForPostgreSQL'), datasourceTypes: ['OssDB'] };
    badArg(() => setTrigger(policy, ['R/2021-08-15T22:00:00+00:00/P1D']), 'Daily Backup Schedule is not supported for AzureDatabaseForPostgreSQL policy');
  });

  it('explains a policy without a backup rule or datasource type', () => {
    const template = getDefaultPolicyTemplate('AzureDatabaseForPostgreSQL');
    badArg(
      () => setTrigger({ ...template, policyRules: [template.policyRules[1]] }, SEED_SCHEDULE),
      'The policy has no AzureBackupRule; start from the output of get-default-policy-template.',
    );
    badArg(
      () => setTrigger({ ...template, datasourceTypes: [] }, SEED_SCHEDULE),
      'The policy has no datasourceTypes; start from the output of get-default-policy-template.',
    );
    badArg(() => setTrigger('nonsense', SEED_SCHEDULE), 'The policy must be a JSON object, such as the output of get-default-policy-template.');
  });
});

describe('retention-rule create-lifecycle', () => {
  it('builds the seed\'s VaultToArchive lifecycle with a single copy-settings object', () => {
    assert.deepStrictEqual(
      createLifecycle({
        retentionDurationCount: 6, retentionDurationType: 'Months', sourceDatastore: 'VaultStore',
        targetDatastore: 'ArchiveStore', copyOption: 'CopyOnExpiryOption',
      }),
      VAULT_TO_ARCHIVE,
    );
  });

  it('builds the seed\'s OnArchive lifecycle with null copy settings', () => {
    assert.deepStrictEqual(
      createLifecycle({ retentionDurationCount: 24, retentionDurationType: 'Months', sourceDatastore: 'ArchiveStore' }),
      ON_ARCHIVE,
    );
  });

  it('uses the first letter of the duration type and no range check', () => {
    const duration = (count: number, type: string) =>
      (createLifecycle({ retentionDurationCount: count, retentionDurationType: type, sourceDatastore: 'OperationalStore' }).deleteAfter as {
        duration: string;
      }).duration;
    assert.equal(duration(12, 'Days'), 'P12D');
    assert.equal(duration(12, 'Weeks'), 'P12W');
    assert.equal(duration(1, 'Years'), 'P1Y');
    assert.equal(duration(0, 'Days'), 'P0D');
  });

  it('emits copy settings only when both target and copy option are given', () => {
    const base = { retentionDurationCount: 6, retentionDurationType: 'Months', sourceDatastore: 'VaultStore' };
    assert.equal(createLifecycle({ ...base, targetDatastore: 'ArchiveStore' }).targetDataStoreCopySettings, null);
    assert.equal(createLifecycle({ ...base, copyOption: 'ImmediateCopyOption' }).targetDataStoreCopySettings, null);
    assert.deepStrictEqual(createLifecycle({ ...base, targetDatastore: 'ArchiveStore', copyOption: 'CustomCopyOption' }).targetDataStoreCopySettings, {
      dataStore: { objectType: 'DataStoreInfoBase', dataStoreType: 'ArchiveStore' },
      copyAfter: { objectType: 'CustomCopyOption' },
    });
  });
});

describe('retention-rule set and remove', () => {
  it('appends a new Monthly rule with the lifecycles verbatim', () => {
    const policy = setTrigger(getDefaultPolicyTemplate('AzureDatabaseForPostgreSQL'), SEED_SCHEDULE);
    const out = setRetentionRule(policy, 'Monthly', [VAULT_TO_ARCHIVE, ON_ARCHIVE]);
    assert.deepStrictEqual(out.policyRules.slice(2), [
      { objectType: 'AzureRetentionRule', isDefault: false, name: 'Monthly', lifecycles: [VAULT_TO_ARCHIVE, ON_ARCHIVE] },
    ]);
    assert.deepStrictEqual(out.policyRules.slice(0, 2), policy.policyRules);
  });

  it('replaces the lifecycles of an existing rule, which is how Default is edited', () => {
    const template = getDefaultPolicyTemplate('AzureDatabaseForPostgreSQL');
    const lifecycle = createLifecycle({ retentionDurationCount: 1, retentionDurationType: 'Years', sourceDatastore: 'VaultStore' });
    const out = setRetentionRule(template, 'Default', [lifecycle]);
    assert.deepStrictEqual(out.policyRules[1], {
      isDefault: true,
      lifecycles: [
        {
          deleteAfter: { objectType: 'AbsoluteDeleteOption', duration: 'P1Y' },
          sourceDataStore: { objectType: 'DataStoreInfoBase', dataStoreType: 'VaultStore' },
          targetDataStoreCopySettings: null,
        },
      ],
      name: 'Default',
      objectType: 'AzureRetentionRule',
    });
  });

  it('refuses a new rule name the datasource does not support', () => {
    badArg(
      () => setRetentionRule(getDefaultPolicyTemplate('AzureDatabaseForPostgreSQL'), 'Daily', [ON_ARCHIVE]),
      'Selected Retention Rule Daily is not applicable for Datasource Type AzureDatabaseForPostgreSQL',
    );
  });

  it('removes a rule but not its tag, and never Default', () => {
    const withMonthly = setTag(
      setRetentionRule(getDefaultPolicyTemplate('AzureDatabaseForPostgreSQL'), 'Monthly', [ON_ARCHIVE]),
      'Monthly',
      [createAbsoluteCriteria('FirstOfMonth')],
    );
    const out = removeRetentionRule(withMonthly, 'Monthly');
    assert.deepStrictEqual(out.policyRules.map((r) => r.name), ['BackupWeekly', 'Default']);
    assert.deepStrictEqual(out.policyRules[0], withMonthly.policyRules[0]);
    assert.deepStrictEqual(removeRetentionRule(out, 'Yearly'), out);
    const err = throwsDp(
      () => removeRetentionRule(withMonthly, 'Default'),
      'ForbiddenError',
      'Removing Default Retention Rule is not allowed. Please try again with different rule name.',
    );
    assert.equal(err.kind, 'forbidden');
  });
});

describe('tag create-absolute-criteria and create-generic-criteria', () => {
  it('builds an absolute criterion', () => {
    assert.deepStrictEqual(createAbsoluteCriteria('FirstOfMonth'), { objectType: 'ScheduleBasedBackupCriteria', absoluteCriteria: ['FirstOfMonth'] });
  });

  it('builds a generic criterion with snake_case keys and nulls for what is not given', () => {
    assert.deepStrictEqual(createGenericCriteria({ daysOfWeek: ['Sunday', 'Friday'] }), {
      object_type: 'ScheduleBasedBackupCriteria',
      days_of_month: null,
      days_of_the_week: ['Sunday', 'Friday'],
      months_of_year: null,
      weeks_of_the_month: null,
    });
    assert.deepStrictEqual(
      createGenericCriteria({ daysOfMonth: ['1', '2', '27', '28', 'LaSt'], weeksOfMonth: ['First', 'Last'], monthsOfYear: ['March'] }),
      {
        object_type: 'ScheduleBasedBackupCriteria',
        days_of_month: [
          { date: 1, is_last: false },
          { date: 2, is_last: false },
          { date: 27, is_last: false },
          { date: 28, is_last: false },
          { is_last: true },
        ],
        days_of_the_week: null,
        months_of_year: ['March'],
        weeks_of_the_month: ['First', 'Last'],
      },
    );
  });

  it('refuses days of month outside 1..28 or Last with az\'s messages', () => {
    badArg(() => createGenericCriteria({ daysOfMonth: ['29'] }), 'Day of month should be between 1 and 28.');
    badArg(() => createGenericCriteria({ daysOfMonth: ['0'] }), 'Day of month should be between 1 and 28.');
    badArg(() => createGenericCriteria({ daysOfMonth: ['-1'] }), 'Day of month should either be between 1 and 28 or it should be last');
    badArg(() => createGenericCriteria({ daysOfMonth: ['first'] }), 'Day of month should either be between 1 and 28 or it should be last');
  });
});

describe('tag set and remove', () => {
  it('reproduces the seed chain: template, trigger set, retention-rule set Monthly, tag set Monthly FirstOfMonth', () => {
    const lifecycles = [
      createLifecycle({
        retentionDurationCount: 6, retentionDurationType: 'Months', sourceDatastore: 'VaultStore',
        targetDatastore: 'ArchiveStore', copyOption: 'CopyOnExpiryOption',
      }),
      createLifecycle({ retentionDurationCount: 24, retentionDurationType: 'Months', sourceDatastore: 'ArchiveStore' }),
    ];
    let policy: unknown = getDefaultPolicyTemplate('AzureDatabaseForPostgreSQL');
    policy = setTrigger(policy, createSchedule('Weekly', 1, ['2021-08-15T22:00:00', '2021-08-18T22:00:00', '2021-08-20T22:00:00']));
    policy = setRetentionRule(policy, 'Monthly', lifecycles);
    policy = setTag(policy, 'Monthly', [createAbsoluteCriteria('FirstOfMonth')]);
    assert.deepStrictEqual(policy, SEED_FINAL);
  });

  it('gives each new tag az\'s priority', () => {
    let policy: unknown = getDefaultPolicyTemplate('AzureDatabaseForPostgreSQL');
    for (const name of ['Weekly', 'Monthly', 'Yearly']) policy = setTag(policy, name, [createAbsoluteCriteria('AllBackup')]);
    const tags = (policy as typeof SEED_FINAL).policyRules[0]!.trigger!.taggingCriteria;
    assert.deepStrictEqual(tags.map((t) => [t.tagInfo.tagName, t.taggingPriority]), [['Default', 99], ['Weekly', 20], ['Monthly', 15], ['Yearly', 10]]);
  });

  it('replaces the criteria of an existing tag (az writes "Criteria" by mistake)', () => {
    const generic = createGenericCriteria({ daysOfWeek: ['Sunday', 'Friday'] });
    const out = setTag(SEED_FINAL, 'Monthly', [generic]);
    const expected = structuredClone(SEED_FINAL);
    expected.policyRules[0]!.trigger!.taggingCriteria[1]!.criteria = [generic] as never;
    assert.deepStrictEqual(out, expected);
  });

  it('drops a stray "Criteria" key left by az when replacing the criteria', () => {
    const policy = structuredClone(SEED_FINAL) as unknown as { policyRules: { trigger: { taggingCriteria: Record<string, unknown>[] } }[] };
    policy.policyRules[0]!.trigger.taggingCriteria[1]!.Criteria = [createAbsoluteCriteria('FirstOfYear')];
    const out = setTag(policy, 'Monthly', [createAbsoluteCriteria('FirstOfWeek')]);
    assert.deepStrictEqual(out.policyRules[0]!.trigger, {
      ...SEED_FINAL.policyRules[0]!.trigger,
      taggingCriteria: [
        SEED_FINAL.policyRules[0]!.trigger!.taggingCriteria[0],
        { ...SEED_FINAL.policyRules[0]!.trigger!.taggingCriteria[1], criteria: [createAbsoluteCriteria('FirstOfWeek')] },
      ],
    });
  });

  it('refuses a tag the datasource does not support', () => {
    badArg(
      () => setTag(getDefaultPolicyTemplate('AzureDatabaseForPostgreSQL'), 'Daily', [createAbsoluteCriteria('FirstOfDay')]),
      'Selected Retention Tag Daily is not applicable for Datasource Type AzureDatabaseForPostgreSQL',
    );
  });

  it('removes a tag by name and ignores an absent one', () => {
    const out = removeTag(SEED_FINAL, 'Monthly');
    assert.deepStrictEqual(out.policyRules[0], { ...SEED_FINAL.policyRules[0], trigger: { ...SEED_FINAL.policyRules[0]!.trigger, taggingCriteria: [SEED_FINAL.policyRules[0]!.trigger!.taggingCriteria[0]] } });
    assert.deepStrictEqual(out.policyRules.slice(1), SEED_FINAL.policyRules.slice(1));
    assert.deepStrictEqual(removeTag(SEED_FINAL, 'Yearly'), SEED_FINAL);
  });
});
