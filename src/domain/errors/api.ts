// Errors of the HTTP layer itself: the request line, api-version, body and media type, as ARM
// answers them.
import { DpError } from './dp-error.ts';

export const apiErrors = {
  // Requests node's HTTP parser refused; the server answers them on the socket (431, 408 and 400).
  requestHeadersTooLarge: (): DpError => new DpError('invalid', 'RequestHeadersTooLarge', 'The request headers are too large.'),
  requestTimedOut: (): DpError => new DpError('invalid', 'RequestTimeout', 'The request was not received in time.'),
  requestUnparsable: (parserCode: string | undefined): DpError =>
    new DpError('invalid', 'BadRequest', `The request could not be parsed as HTTP (${parserCode ?? 'malformed request'}).`),
  apiVersionInvalid: (message: string): DpError => new DpError('invalid', 'InvalidApiVersionParameter', message),
  apiVersionMissing: (): DpError =>
    new DpError('invalid', 'MissingApiVersionParameter', 'The api-version query parameter (?api-version=) is required for all requests.'),
  apiVersionNotSupported: (message: string): DpError => new DpError('invalid', 'NoRegisteredProviderFound', message),
  mediaTypeUnsupported: (message: string): DpError => new DpError('invalid', 'UnsupportedMediaType', message),
  methodNotAllowed: (message: string): DpError => new DpError('invalid', 'MethodNotAllowed', message),
  operationNotFound: (id: string): DpError => new DpError('notFound', 'OperationNotFound', `The operation '${id}' was not found.`),
  requestBodyTooLarge: (message: string): DpError => new DpError('invalid', 'RequestEntityTooLarge', message),
  requestContentInvalid: (message: string, target?: string): DpError => new DpError('invalid', 'InvalidRequestContent', message, { target: target ?? null }),
  requestUriMalformed: (message: string): DpError => new DpError('invalid', 'InvalidRequestUri', message),
  resourceTypeNotServed: (message: string): DpError => new DpError('notFound', 'InvalidResourceType', message),
  responseNotWritten: (): DpError => new DpError('internal', 'InternalError', 'The response could not be written.'),
  // The Backup center's static files (GET /portal/...).
  portalFileNotFound: (path: string): DpError => new DpError('notFound', 'PortalFileNotFound', `The portal has no file '${path}'.`),
  portalNotBuilt: (dir: string): DpError =>
    new DpError('notFound', 'PortalNotBuilt', `The portal is not built: '${dir}' is missing; run 'npm run build' (or 'npm install') in dpvault's directory.`),
};
