// The arguments every command takes (az's global arguments), and --no-wait, which every
// long-running command takes.
import type { ArgSpec } from './command.ts';
import { DEFAULT_ENDPOINT } from './endpoint.ts';
import { OUTPUT_FORMATS } from './output.ts';

export const GLOBAL_ARGS: Record<string, ArgSpec> = {
  output: { names: ['--output', '-o'], enum: OUTPUT_FORMATS, default: 'json', help: 'Output format.' },
  query: { names: ['--query'], help: 'JMESPath query string. See http://jmespath.org/ for more information and examples.' },
  subscription: { names: ['--subscription'], help: "Subscription id (defaults to the service's)." },
  endpoint: {
    names: ['--endpoint'],
    help: `The dpvault service: a URL, or HOST:PORT for http://HOST:PORT (default DPVAULT_ENDPOINT, else ${DEFAULT_ENDPOINT}).`,
  },
  caBundle: {
    names: ['--ca-bundle'],
    help: "CA certificates (PEM file) to verify an https endpoint's certificate with, instead of the system's (default REQUESTS_CA_BUNDLE); DPVAULT_TLS_FINGERPRINT=sha256:<hex> pins one certificate instead.",
  },
  onlyShowErrors: { names: ['--only-show-errors'], arity: 'flag', help: 'Only show errors, suppressing warnings.' },
  debug: { names: ['--debug'], arity: 'flag', help: 'Show each request to the service on stderr.' },
  verbose: { names: ['--verbose'], arity: 'flag', help: 'Increase logging verbosity (accepted for az compatibility).' },
};

export const NO_WAIT: ArgSpec = { names: ['--no-wait'], arity: 'flag', help: 'Do not wait for the long-running operation to finish.' };

/** Shown in help only: handled before parsing. */
export const HELP_ONLY_ARGS: ArgSpec[] = [
  { names: ['--help', '-h'], arity: 'flag', help: 'Show this help message and exit.' },
  { names: ['--version'], arity: 'flag', help: 'Print the version of dpvault and exit (top level only).' },
];
