// What a new user meets first, through the built binary against a real service: help that lists
// the global arguments, a one-line --version, az's "did you mean" for mistyped commands and options,
// an --endpoint without its scheme, table and tsv columns in a --query projection's order, one error
// format, a group delete that says what the group still holds, and help text for every argument.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { ALL_COMMANDS } from '../../src/cli/commands/index.ts';
import { runCli, startTestService, type TestService } from '../support/service.ts';

let svc: TestService;
const cli = (...args: string[]) => runCli(args, { endpoint: svc.url });

before(async () => {
  svc = await startTestService();
});
after(async () => {
  await svc?.close();
});

const GLOBALS = ['--output -o', '--query', '--endpoint', '--no-wait', '--only-show-errors', '--debug', '--help -h'];

describe('help and version', () => {
  it('lists the global arguments in the top-level and each command\'s help', async () => {
    for (const args of [['--help'], ['job', 'list', '--help'], ['dataprotection', 'backup-vault', 'create', '-h']]) {
      const r = await cli(...args);
      assert.equal(r.code, 0, r.stderr);
      const globals = r.stdout.slice(r.stdout.indexOf('Global Arguments:'));
      for (const g of GLOBALS) assert.match(globals, new RegExp(`^ {2}${g} {2}`, 'm'), `${args.join(' ')}: ${g}`);
    }
  });

  it('prints the version on one line', async () => {
    const r = await cli('--version');
    assert.equal(r.code, 0);
    assert.equal(r.stdout, `${JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')).version}\n`);
    assert.equal(r.stderr, '');
  });

  it('describes every argument (postgres server create --port among them)', async () => {
    const r = await cli('postgres', 'server', 'create', '--help');
    assert.match(r.stdout, /^ {2}--port +TCP port the server listens on \(default 5432\)\.$/m);
    const bare = ALL_COMMANDS.flatMap((c) => Object.values(c.args).filter((a) => !a.help).map((a) => `${c.path.join(' ')} ${a.names[0]}`));
    assert.deepEqual(bare, []);
  });
});

describe('mistakes', () => {
  it('suggests the command a mistyped word was meant to be, as az does', async () => {
    const r = await cli('dataprotection', 'backup-vualt', 'show', '-g', 'rg', '-v', 'v');
    assert.equal(r.code, 2);
    assert.equal(r.stderr, "ERROR: (CommandNotFoundError) 'backup-vualt' is misspelled or not recognized by the system.\nDid you mean 'dpvault backup-vault' ?\n");
    const deeper = await cli('backup-policy', 'retention-rule', 'create-lifecyle');
    assert.match(deeper.stderr, /Did you mean 'dpvault backup-policy retention-rule create-lifecycle' \?\n$/);
    const nothing = await cli('zebra');
    assert.equal(nothing.stderr, "ERROR: (CommandNotFoundError) 'zebra' is misspelled or not recognized by the system.\nSee 'dpvault --help'.\n");
  });

  it('suggests the option a mistyped one was meant to be, its value not taken for a positional', async () => {
    const r = await cli('backup-vault', 'show', '-g', 'rg', '--vualt-name', 'v');
    assert.equal(r.code, 2);
    assert.equal(r.stderr, "ERROR: (UnrecognizedArgumentError) unrecognized arguments: --vualt-name v\n'--vualt-name' is not an option; did you mean '--vault-name'?\n");
  });

  it('prints every error in one format, a service error included', async () => {
    const r = await cli('group', 'show', '-n', 'nosuchgroup');
    assert.equal(r.code, 1);
    assert.equal(r.stderr, "ERROR: (ResourceGroupNotFound) Resource group 'nosuchgroup' could not be found.\n");
    const missing = await cli('group', 'show');
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /^ERROR: \(RequiredArgumentMissingError\) the following arguments are required: --name/);
  });
});

describe('--endpoint', () => {
  it('takes HOST:PORT as http://HOST:PORT', async () => {
    const hostPort = new URL(svc.url).host;
    const r = await runCli(['group', 'create', '-n', 'bare', '-l', 'westus', '--endpoint', hostPort], { env: { DPVAULT_HOME: svc.dataDir } });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.json.name, 'bare');
    const env = await runCli(['group', 'show', '-n', 'bare'], { env: { DPVAULT_ENDPOINT: hostPort, DPVAULT_HOME: svc.dataDir } });
    assert.equal(env.code, 0, env.stderr);
  });

  it('refuses another scheme, or what is no address, by name', async () => {
    const r = await runCli(['group', 'list', '--endpoint', 'ftp://127.0.0.1:7480']);
    assert.equal(r.code, 2);
    assert.equal(r.stderr, "ERROR: (InvalidArgumentValueError) argument --endpoint: 'ftp://127.0.0.1:7480' is not an http or https URL; give http://HOST:PORT, https://HOST:PORT or HOST:PORT.\n");
    const env = await runCli(['group', 'list'], { env: { DPVAULT_ENDPOINT: 'http://' } });
    assert.match(env.stderr, /^ERROR: \(InvalidArgumentValueError\) DPVAULT_ENDPOINT: 'http:\/\/' is not a URL/);
  });
});

describe('output', () => {
  it('keeps the column order of a --query projection in table and tsv, and sorts what the service returned', async () => {
    assert.equal((await cli('group', 'create', '-n', 'ordered', '-l', 'eastus', '--tags', 'z=1')).code, 0);
    const table = await cli('group', 'show', '-n', 'ordered', '--query', '{Zone:location, Alpha:name}', '-o', 'table');
    assert.equal(table.stdout, 'Zone    Alpha\n------  -------\neastus  ordered\n');
    const tsv = await cli('group', 'show', '-n', 'ordered', '--query', '{Zone:location, Alpha:name}', '-o', 'tsv');
    assert.equal(tsv.stdout, 'eastus\tordered\n');
    const plain = await cli('group', 'show', '-n', 'ordered', '-o', 'table');
    assert.match(plain.stdout, /^Location +ManagedBy +Name\n|^Location +Name\n/);
  });
});

describe('group delete', () => {
  it('names what the group still holds, and deletes nothing', async () => {
    assert.equal((await cli('group', 'create', '-n', 'full', '-l', 'westus')).code, 0);
    const vault = await cli('backup-vault', 'create', '-g', 'full', '-v', 'vault1', '-l', 'westus', '--storage-settings', 'datastore-type=VaultStore', 'type=LocallyRedundant');
    assert.equal(vault.code, 0, vault.stderr);
    assert.equal((await cli('keyvault', 'create', '-g', 'full', '-n', 'kv1')).code, 0);
    const r = await cli('group', 'delete', '-n', 'full', '--yes');
    assert.equal(r.code, 1);
    assert.match(r.stderr, /^ERROR: \(ResourceGroupNotEmpty\) Resource group 'full' still holds /);
    assert.match(r.stderr, /backup vault 'vault1'/);
    assert.match(r.stderr, /key vault 'kv1'/);
    assert.equal((await cli('backup-vault', 'show', '-g', 'full', '-v', 'vault1')).code, 0);
  });
});
