// The CLI entry: finds the command, parses its arguments, runs it and prints the result the way az
// does. Exit codes are decided here and only here: 0 success, 1 error, 2 bad command line.
import { createInterface } from 'node:readline/promises';
import { errors, toDpError } from '../domain/errors.ts';
import { parseArgs } from './args.ts';
import { ApiClient } from './client.ts';
import type { ArgSpec, Command, CommandContext } from './command.ts';
import { ALL_COMMANDS } from './commands/index.ts';
import { DEFAULT_ENDPOINT, endpointUrl } from './endpoint.ts';
import { GLOBAL_ARGS, NO_WAIT } from './global-args.ts';
import { commandHelp, groupHelp, isCommandPrefix, unknownCommand } from './help.ts';
import { applyQuery, formatOutput, objectsIn, type OutputFormat } from './output.ts';
import { isPreformatted } from './preformatted.ts';
import { tlsTrustFrom } from './tls-trust.ts';
import { CredentialStore } from './credentials.ts';
import { TokenSource } from './token-source.ts';
import { systemClock } from '../util/clock.ts';
import { dpvaultVersion } from './version.ts';

export interface Io {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  env: Record<string, string | undefined>;
  isTty: boolean;
  /** Whether stderr is a terminal (progress bars are drawn there only then). */
  stderrIsTty?: boolean;
}

const processIo: Io = {
  stdout: (t) => process.stdout.write(t),
  stderr: (t) => process.stderr.write(t),
  env: process.env,
  isTty: Boolean(process.stdin.isTTY),
  stderrIsTty: Boolean(process.stderr.isTTY),
};

export async function main(argv: string[], io: Io = processIo): Promise<number> {
  const words = argv[0] === 'dataprotection' || argv[0] === 'az' ? argv.slice(argv[0] === 'az' && argv[1] === 'dataprotection' ? 2 : 1) : argv;
  try {
    if (words.length === 1 && words[0] === '--version') {
      io.stdout(`${dpvaultVersion()}\n`);
      return 0;
    }
    const { command, rest } = findCommand(words);
    const wantsHelp = (command ? rest : words).some((w) => w === '--help' || w === '-h');
    if (!command) {
      const named = words.filter((w) => !w.startsWith('-'));
      if (!isCommandPrefix(ALL_COMMANDS, named)) throw unknownCommand(ALL_COMMANDS, named);
      io.stdout(groupHelp(ALL_COMMANDS, named));
      return named.length === 0 || wantsHelp ? 0 : 2;
    }
    if (wantsHelp) {
      io.stdout(commandHelp(command));
      return 0;
    }
    const specs: Record<string, ArgSpec> = { ...GLOBAL_ARGS, ...command.args, ...(command.supportsNoWait ? { noWait: NO_WAIT } : {}) };
    const { values } = parseArgs(specs, rest);
    const given = values.endpoint as string | undefined;
    const endpoint =
      given !== undefined
        ? endpointUrl(given, 'argument --endpoint')
        : io.env.DPVAULT_ENDPOINT
          ? endpointUrl(io.env.DPVAULT_ENDPOINT, 'DPVAULT_ENDPOINT')
          : DEFAULT_ENDPOINT;
    const trust = () => tlsTrustFrom(values.caBundle as string | undefined, io.env);
    const credentials = new CredentialStore(io.env);
    const tokens = new TokenSource(endpoint, credentials, systemClock);
    const client = new ApiClient(endpoint, { trust, tokens, ...(values.debug === true ? { debug: (line: string) => io.stderr(`DEBUG: ${line}\n`) } : {}) });
    let sub: string | undefined = values.subscription as string | undefined;
    let lastProgress: string | undefined;
    const ctx: CommandContext = {
      client,
      credentials,
      tokens,
      warn: (m) => {
        if (!values.onlyShowErrors) io.stderr(`WARNING: ${m}\n`);
      },
      confirm: async (message = 'Are you sure you want to perform this operation?') => {
        if (values.yes === true) return true;
        if (!io.isTty) throw errors.noTtyForPrompt();
        const rl = createInterface({ input: process.stdin, output: process.stderr });
        const answer = await rl.question(`${message} (y/n): `);
        rl.close();
        return /^y(es)?$/i.test(answer.trim());
      },
      progress: (render, done) => {
        if (values.onlyShowErrors) return;
        const line = render(io.stderrIsTty === true);
        if (io.stderrIsTty) io.stderr(`\r\x1b[2K${line}${done ? '\n' : ''}`);
        else if (line !== lastProgress) io.stderr(`${line}\n`);
        lastProgress = line;
      },
      subscription: async () => {
        if (!sub) {
          const list = (await client.get('/subscriptions')) as { value: { subscriptionId: string }[] };
          sub = list.value[0]?.subscriptionId;
          if (!sub) throw errors.serviceHasNoSubscription();
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
    const query = values.query as string | undefined;
    const output = values.output as OutputFormat;
    // A command's table view applies to its own result only, as az's table transformers do.
    const shaped = output === 'table' && !query && command.tableView ? command.tableView(result) : applyQuery(result, query);
    const fromService = objectsIn(result);
    io.stdout(formatOutput(shaped, output, (obj) => !fromService.has(obj)));
    return 0;
  } catch (e) {
    // One format for every error, the command line's own included: ERROR: (Code) message.
    const err = toDpError(e);
    io.stderr(`ERROR: (${err.code}) ${err.message}\n`);
    return err.kind === 'usage' ? 2 : 1;
  }
}

function findCommand(words: string[]): { command?: Command; rest: string[] } {
  let best: Command | undefined;
  for (const c of ALL_COMMANDS) {
    if (c.path.length <= words.length && c.path.every((w, i) => w === words[i]) && (!best || c.path.length > best.path.length)) best = c;
  }
  return best ? { command: best, rest: words.slice(best.path.length) } : { rest: words };
}
