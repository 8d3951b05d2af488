// The CLI entry: finds the command, parses its arguments, runs it and prints the result the way az
// does. Exit codes are decided here and only here: 0 success, 1 error, 2 bad command line.
import { createInterface } from 'node:readline/promises';
import { DpError, toDpError } from '../domain/errors.ts';
import { parseArgs } from './args.ts';
import { ApiClient, DEFAULT_ENDPOINT } from './client.ts';
import type { ArgSpec, Command, CommandContext } from './command.ts';
import { ALL_COMMANDS } from './commands/index.ts';
import { applyQuery, formatOutput, OUTPUT_FORMATS, type OutputFormat } from './output.ts';
import { isPreformatted } from './preformatted.ts';

const GLOBAL_ARGS: Record<string, ArgSpec> = {
  output: { names: ['--output', '-o'], enum: OUTPUT_FORMATS, default: 'json', help: 'Output format.' },
  query: { names: ['--query'], help: 'JMESPath query string.' },
  subscription: { names: ['--subscription'], help: 'Subscription id (defaults to the service\'s).' },
  endpoint: { names: ['--endpoint'], help: `The dpvault service (default DPVAULT_ENDPOINT or ${DEFAULT_ENDPOINT}).` },
  onlyShowErrors: { names: ['--only-show-errors'], arity: 'flag' },
  debug: { names: ['--debug'], arity: 'flag' },
  verbose: { names: ['--verbose'], arity: 'flag' },
};
const NO_WAIT: ArgSpec = { names: ['--no-wait'], arity: 'flag', help: 'Do not wait for the long-running operation to finish.' };

export interface Io {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  env: Record<string, string | undefined>;
  isTty: boolean;
}

const processIo: Io = {
  stdout: (t) => process.stdout.write(t),
  stderr: (t) => process.stderr.write(t),
  env: process.env,
  isTty: Boolean(process.stdin.isTTY),
};

export async function main(argv: string[], io: Io = processIo): Promise<number> {
  const words = argv[0] === 'dataprotection' || argv[0] === 'az' ? argv.slice(argv[0] === 'az' && argv[1] === 'dataprotection' ? 2 : 1) : argv;
  try {
    const { command, rest } = findCommand(words);
    if (!command) return printHelp(words, io);
    if (rest.includes('--help') || rest.includes('-h')) return printCommandHelp(command, io);
    const specs: Record<string, ArgSpec> = { ...GLOBAL_ARGS, ...command.args, ...(command.supportsNoWait ? { noWait: NO_WAIT } : {}) };
    const { values } = parseArgs(specs, rest);
    const endpoint = (values.endpoint as string | undefined) ?? io.env.DPVAULT_ENDPOINT ?? DEFAULT_ENDPOINT;
    const client = new ApiClient(endpoint);
    let sub: string | undefined = values.subscription as string | undefined;
    const ctx: CommandContext = {
      client,
      warn: (m) => {
        if (!values.onlyShowErrors) io.stderr(`WARNING: ${m}\n`);
      },
      confirm: async (message = 'Are you sure you want to perform this operation?') => {
        if (values.yes === true) return true;
        if (!io.isTty) throw new DpError('invalid', 'NoTTYError', 'Unable to prompt for confirmation as no tty available. Use --yes.');
        const rl = createInterface({ input: process.stdin, output: process.stderr });
        const answer = await rl.question(`${message} (y/n): `);
        rl.close();
        return /^y(es)?$/i.test(answer.trim());
      },
      subscription: async () => {
        if (!sub) {
          const list = (await client.get('/subscriptions')) as { value: { subscriptionId: string }[] };
          sub = list.value[0]?.subscriptionId;
          if (!sub) throw new DpError('internal', 'SubscriptionNotFound', 'The service has no subscription.');
        }
        return sub;
      },
    };
    const result = await command.run(values, ctx);
    // Escape hatch: a command that returns preformatted text (e.g. a calendar for -o table) is printed as is.
    if (isPreformatted(result)) {
      io.stdout(result.preformatted);
      return 0;
    }
    const shaped = applyQuery(result, values.query as string | undefined);
    io.stdout(formatOutput(shaped, values.output as OutputFormat));
    return 0;
  } catch (e) {
    const err = toDpError(e);
    if (err.kind === 'usage') {
      io.stderr(`ERROR: ${err.message}\n`);
      return 2;
    }
    io.stderr(`ERROR: (${err.code}) ${err.message}\n`);
    if (err.httpStatus !== undefined) io.stderr(`Code: ${err.code}\nMessage: ${err.message}\n`);
    return 1;
  }
}

function findCommand(words: string[]): { command?: Command; rest: string[] } {
  let best: Command | undefined;
  for (const c of ALL_COMMANDS) {
    if (c.path.length <= words.length && c.path.every((w, i) => w === words[i]) && (!best || c.path.length > best.path.length)) best = c;
  }
  return best ? { command: best, rest: words.slice(best.path.length) } : { rest: words };
}

function printHelp(words: string[], io: Io): number {
  const prefix = words.filter((w) => !w.startsWith('-'));
  const matching = ALL_COMMANDS.filter((c) => prefix.every((w, i) => c.path[i] === w));
  if (!matching.length) {
    io.stderr(`ERROR: '${prefix.join(' ')}' is misspelled or not recognized by the system. See 'dpvault --help'.\n`);
    return 2;
  }
  const width = Math.max(...matching.map((c) => c.path.join(' ').length));
  io.stdout(
    `Usage: dpvault [dataprotection] <command> [options]\n\nCommands:\n${matching
      .map((c) => `  ${c.path.join(' ').padEnd(width)}  ${c.summary}`)
      .join('\n')}\n`,
  );
  return prefix.length === 0 || words.includes('--help') || words.includes('-h') ? 0 : 2;
}

function printCommandHelp(c: Command, io: Io): number {
  const lines = Object.values(c.args).map(
    (a) => `  ${a.names.join(' ')}${a.required ? ' [Required]' : ''}${a.enum ? ` {${a.enum.join(', ')}}` : ''}${a.help ? `  ${a.help}` : ''}`,
  );
  io.stdout(`dpvault ${c.path.join(' ')}: ${c.summary}\n\nArguments:\n${lines.join('\n')}\n`);
  return 0;
}
