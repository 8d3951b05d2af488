// Long-running operation status and results, at every scope the service publishes them.
import { errors } from '../../domain/errors.ts';
import { NOT_ENDED } from '../../services/operations.ts';
import { ok, type ApiRequest, type ApiResponse } from '../http.ts';
import type { Router } from '../router.ts';

const DP = '/providers/Microsoft.DataProtection';
const VAULT = `/subscriptions/{sub}/resourceGroups/{rg}${DP}/backupVaults/{vault}` as const;

/** Seconds a client waits before polling an operation that has not ended. */
const RETRY_AFTER_SECONDS = '1';

/** The paths a client polls; `scope` builds the header URLs for a new operation. */
export const operationUrls = {
  vault: (vaultId: string, opId: string) => ({
    status: `${vaultId}/operationStatus/${opId}`,
    result: `${vaultId}/operationResults/${opId}`,
  }),
  resourceGroup: (sub: string, rg: string, vaultId: string, opId: string) => ({
    status: `/subscriptions/${sub}/resourceGroups/${rg}${DP}/operationStatus/${opId}`,
    result: `${vaultId}/operationResults/${opId}`,
  }),
  location: (sub: string, location: string, opId: string) => ({
    status: `/subscriptions/${sub}${DP}/locations/${location}/operationStatus/${opId}`,
    result: `/subscriptions/${sub}${DP}/locations/${location}/operationResults/${opId}`,
  }),
};

/**
 * Headers of a 201/202 answer that started an operation. The paths hold what callers sent (a
 * location may be any text), so they are percent-encoded: a header must be ASCII.
 */
export function operationHeaders(req: ApiRequest, urls: { status: string; result: string }): Record<string, string> {
  const q = `?api-version=${req.apiVersion}`;
  // (Through a Buffer first: a lone surrogate becomes U+FFFD, which encodeURI accepts.)
  const url = (path: string) => `${req.baseUrl}${encodeURI(Buffer.from(path).toString())}${q}`;
  return {
    'Azure-AsyncOperation': url(urls.status),
    Location: url(urls.result),
    'Retry-After': RETRY_AFTER_SECONDS,
  };
}

/** 202 Accepted for an operation started at `location`, with the headers that lead to its status and result. */
export const acceptedOperation = (req: ApiRequest<'sub'>, location: string, opId: string): ApiResponse => ({
  status: 202,
  headers: operationHeaders(req, operationUrls.location(req.params.sub, location, opId)),
});

export function registerOperationRoutes(router: Router): void {
  const status = async (req: ApiRequest<'op'>): Promise<ApiResponse> => {
    const op = await req.ctx.catalog.getOperation(req.params.op);
    if (!op) throw errors.operationNotFound(req.params.op);
    const body: Record<string, unknown> = {
      id: req.path,
      name: op.id,
      status: op.status,
      startTime: op.startTime,
      endTime: op.endTime ?? NOT_ENDED,
    };
    if (op.error) body.error = { ...op.error, target: null, details: [] };
    if (op.properties) body.properties = op.properties;
    // While it runs, say when to ask again: without it azure-core (az) waits 30 s between polls.
    return ok(body, 200, op.status === 'Inprogress' ? { 'Retry-After': RETRY_AFTER_SECONDS } : undefined);
  };
  const result = async (req: ApiRequest<'op'>): Promise<ApiResponse> => {
    const op = await req.ctx.catalog.getOperation(req.params.op);
    if (!op) throw errors.operationNotFound(req.params.op);
    if (op.status === 'Inprogress') {
      return { status: 202, headers: { 'Retry-After': RETRY_AFTER_SECONDS, 'Azure-AsyncOperation': `${req.baseUrl}${req.path.replace(/operationResults/i, 'operationStatus')}?api-version=${req.apiVersion}` } };
    }
    if (op.status === 'Failed') return ok({ error: { ...op.error, target: null, details: [] } }, 200);
    if (op.properties) return ok(op.properties);
    // A resource's operation result is the resource itself, when it still exists.
    const resource = /\/locations\//i.test(req.path) ? undefined : await req.ctx.catalog.getResource(op.resourceId);
    if (resource) return ok(resource.body);
    return { status: 204 };
  };
  router
    .add('GET', `${VAULT}/operationStatus/{op}`, status)
    .add('GET', `/subscriptions/{sub}/resourceGroups/{rg}${DP}/operationStatus/{op}`, status)
    .add('GET', `/subscriptions/{sub}${DP}/locations/{loc}/operationStatus/{op}`, status)
    .add('GET', `${VAULT}/backupInstances/{bi}/operationStatus/{op}`, status)
    .add('GET', `${VAULT}/operationResults/{op}`, result)
    .add('GET', `${VAULT}/backupInstances/{bi}/operationResults/{op}`, result)
    .add('GET', `/subscriptions/{sub}${DP}/locations/{loc}/operationResults/{op}`, result);
}
