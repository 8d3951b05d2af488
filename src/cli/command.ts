// The shape of a CLI leaf command: its words, its arguments, and a `run` that tests can call
// without argv. Parsing, output formatting and exit codes live elsewhere (args.ts, output.ts, main.ts).
import type { ApiClient } from './client.ts';
import type { CredentialStore } from './credentials.ts';
import type { TokenSource } from './token-source.ts';

export interface ArgSpec {
  /** Option strings, long first: ['--resource-group', '-g']. */
  names: string[];
  help?: string;
  required?: boolean;
  /** 'one' (default): a single value; 'many': one or more values (argparse nargs='+'); 'flag': no value. */
  arity?: 'one' | 'many' | 'flag';
  /** Allowed values, matched case-insensitively and normalised to this casing (az's get_enum_type). */
  enum?: readonly string[];
  default?: string | string[] | boolean;
  /** Parse the value: 'int' and 'float' reject non-numbers with az's message; 'json' reads inline JSON, @file or a path. */
  type?: 'string' | 'int' | 'float' | 'json';
}

export type ArgValues = Record<string, unknown>;

export interface CommandContext {
  client: ApiClient;
  /** Where `login` keeps credentials and tokens (the CLI's config directory). */
  credentials: CredentialStore;
  /** The access token the client sends, and the credentials it comes from. */
  tokens: TokenSource;
  /** Writes a warning line to stderr, as az's logger.warning. */
  warn(message: string): void;
  /** Asks "Are you sure you want to perform this operation? (y/n)" unless --yes was given. */
  confirm(message?: string): Promise<boolean>;
  /**
   * Reports how far a long wait has come, on stderr: `render(true)` redrawn in place on a terminal;
   * otherwise `render(false)` as a plain line, each time it changes. `done` ends the line. Silent
   * with --only-show-errors.
   */
  progress(render: (terminal: boolean) => string, done?: boolean): void;
  /** The subscription to act in (from --subscription or the server's default). */
  subscription(): Promise<string>;
}

export interface Command {
  /** The words after `dpvault [dataprotection]`, e.g. ['backup-vault', 'create']. */
  path: string[];
  summary: string;
  args: Record<string, ArgSpec>;
  /** Long-running: adds --no-wait. */
  supportsNoWait?: boolean;
  /** Whether this command needs a server (false for the offline policy helpers). */
  offline?: boolean;
  /** What `-o table` shows of the result when no --query is given (az's table transformer); key order is kept. */
  tableView?: (result: unknown) => unknown;
  /** Returns what to print (undefined prints nothing). */
  run(args: ArgValues, ctx: CommandContext): Promise<unknown>;
}

export const defineCommand = (c: Command): Command => c;
