// Arguments that many commands take in the same words as az.
import type { ArgSpec } from './command.ts';

export const tagsArg: ArgSpec = { names: ['--tags'], arity: 'many', help: 'Space-separated tags: key[=value] [key[=value] ...]. Use "" to clear existing tags.' };
export const yesArg: ArgSpec = { names: ['--yes', '-y'], arity: 'flag', help: 'Do not prompt for confirmation.' };
export const locationArg: ArgSpec = { names: ['--location', '-l'], required: true, help: 'Location, e.g. westus.' };
