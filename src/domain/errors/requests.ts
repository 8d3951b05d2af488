// Validation errors of a request's content that are not about one resource type: a bad parameter,
// name or location, as ARM and the Data Protection service name them.
import { DpError } from './dp-error.ts';

export const requestErrors = {
  argumentsMutuallyExclusive: (message: string): DpError => new DpError('invalid', 'MutuallyExclusiveArgumentError', message),
  filterInvalid: (message: string, target?: string): DpError => new DpError('invalid', 'InvalidFilter', message, { target: target ?? null }),
  instanceLookupMissing: (): DpError => new DpError('internal', 'InternalError', 'No way to look up the backup instance given by --backup-instance-id.'),
  locationRequired: (target?: string): DpError => new DpError('invalid', 'LocationRequired', 'The location property is required for this definition.', { target: target ?? null }),
  parameterInvalid: (message: string, target?: string): DpError => new DpError('invalid', 'InvalidParameter', message, { target: target ?? null }),
  requestArgumentMissing: (message: string): DpError => new DpError('invalid', 'RequiredArgumentMissingError', message),
  requestParameterInvalid: (message: string, target?: string): DpError => new DpError('invalid', 'UserErrorInvalidRequestParameter', message, { target: target ?? null }),
  resourceNameInvalid: (message: string): DpError => new DpError('invalid', 'InvalidResourceName', message),
};
