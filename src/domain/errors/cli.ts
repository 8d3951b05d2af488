// Errors the CLI raises itself, with az's error class names as codes (InvalidArgumentValueError,
// UnrecognizedArgumentError, ...). Kind `usage` exits 2 as az does for a bad command line.
import { DpError, type ErrorDetail } from './dp-error.ts';

export const cliErrors = {
  /** A bad argument value on the command line (exit 2). */
  argumentValueInvalid: (message: string): DpError => new DpError('usage', 'InvalidArgumentValueError', message),
  argumentUnrecognized: (message: string): DpError => new DpError('usage', 'UnrecognizedArgumentError', message),
  argumentRequired: (message: string): DpError => new DpError('usage', 'RequiredArgumentMissingError', message),
  commandNotFound: (word: string, hint: string): DpError =>
    new DpError('usage', 'CommandNotFoundError', `'${word}' is misspelled or not recognized by the system.${hint}`),

  noTtyForPrompt: (): DpError => new DpError('invalid', 'NoTTYError', 'Unable to prompt for confirmation as no tty available. Use --yes.'),
  waitTimedOut: (seconds: number): DpError => new DpError('invalid', 'CLIError', `Wait operation timed-out after ${seconds} seconds`),

  serviceUnreachable: (endpoint: string, cause: string): DpError =>
    new DpError(
      'unavailable',
      'ServiceUnreachable',
      `Cannot reach the dpvault service at ${endpoint} (${cause}). Start it with 'dpvault server', or point --endpoint or DPVAULT_ENDPOINT at it.`,
    ),
  serviceHasNoSubscription: (): DpError => new DpError('internal', 'SubscriptionNotFound', 'The service has no subscription.'),

  /** A long-running operation ended Failed or Canceled; the service's own error when it gave one. */
  operationEnded: (status: string, error: { code?: string; message?: string } | undefined): DpError =>
    new DpError('invalid', error?.code ?? 'OperationFailed', error?.message ?? `The operation ended ${status}.`),

  /** A job the CLI waited for failed; `detail` is the job's first error when it reports one. */
  jobFailed: (jobName: string | undefined, detail: Partial<ErrorDetail> | undefined): DpError =>
    new DpError('invalid', detail?.code ?? 'JobFailed', `Job '${jobName}' failed: ${detail?.message ?? 'the job reports no error detail.'}`),

  /** Azure's answer for a resource the subscription does not hold. */
  resourceNotFound: (resourceType: string, name: string, subscription: string): DpError =>
    new DpError('notFound', 'ResourceNotFound', `The Resource '${resourceType}/${name}' was not found within subscription '${subscription}'.`),
};
