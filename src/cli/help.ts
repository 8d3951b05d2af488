// What `--help` prints, and az's answer to a command it does not know: "'x' is misspelled or not
// recognized by the system." with "Did you mean ... ?" when a command word is close.
import { DpError, errors } from '../domain/errors.ts';
import type { ArgSpec, Command } from './command.ts';
import { GLOBAL_ARGS, HELP_ONLY_ARGS, NO_WAIT } from './global-args.ts';
import { closest } from './suggest.ts';

/** A section of arguments, their help in one column (a long label pushes its help along). */
function argSection(title: string, args: ArgSpec[]): string {
  const label = (a: ArgSpec) => `${a.names.join(' ')}${a.required ? ' [Required]' : ''}`;
  const width = Math.min(32, Math.max(...args.map((a) => label(a).length)));
  const help = (a: ArgSpec) => [a.help, a.enum ? `Allowed values: ${a.enum.join(', ')}.` : ''].filter(Boolean).join('  ');
  return `${title}:\n${args.map((a) => `  ${label(a).padEnd(width)}  ${help(a)}`.trimEnd()).join('\n')}\n`;
}

const globalSection = () =>
  argSection('Global Arguments', [...Object.values(GLOBAL_ARGS), { ...NO_WAIT, help: 'Do not wait for a long-running operation to finish.' }, ...HELP_ONLY_ARGS]);

/** The commands under `words` (all of them for none), with the global arguments. */
export function groupHelp(commands: Command[], words: string[]): string {
  const matching = commands.filter((c) => words.every((w, i) => c.path[i] === w));
  const width = Math.max(...matching.map((c) => c.path.join(' ').length));
  const list = matching.map((c) => `  ${c.path.join(' ').padEnd(width)}  ${c.summary}`).join('\n');
  return `Usage: dpvault [dataprotection] <command> [options]\n\nCommands:\n${list}\n\n${globalSection()}`;
}

export function commandHelp(c: Command): string {
  const args = [...Object.values(c.args), ...(c.supportsNoWait ? [NO_WAIT] : [])];
  return `dpvault ${c.path.join(' ')}: ${c.summary}\n\n${args.length ? `${argSection('Arguments', args)}\n` : ''}${globalSection()}`;
}

/** Whether some command starts with these words. */
export const isCommandPrefix = (commands: Command[], words: string[]) => commands.some((c) => words.every((w, i) => c.path[i] === w));

/** The usage error for words that start no command: names the first unknown word, and the closest command to it. */
export function unknownCommand(commands: Command[], words: string[]): DpError {
  let known = 0;
  while (known < words.length && isCommandPrefix(commands, words.slice(0, known + 1))) known++;
  const word = words[known] ?? '';
  const siblings = new Set(commands.filter((c) => words.slice(0, known).every((w, i) => c.path[i] === w)).map((c) => c.path[known]).filter((w) => w !== undefined));
  const guess = closest(word, siblings);
  const hint = guess ? `\nDid you mean 'dpvault ${[...words.slice(0, known), guess].join(' ')}' ?` : `\nSee 'dpvault ${words.slice(0, known).join(' ')}${known ? ' ' : ''}--help'.`;
  return errors.commandNotFound(word, hint);
}
